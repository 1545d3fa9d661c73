"""Questions for someone answering on another person's behalf: "your back" -> "their back".

The knowledge base words every question to the person ("Do you ...", "your pee"). When the
writer answers for a parent, partner or child, the questions address that person instead. The
singular "they" is used whatever the person's sex, so no verb changes ("Do they", "they crack"):
only pronouns and the contractions built on them. A question group may give its own wording
(``text_other``, ``item_text_other``) where this is not enough.
"""

from __future__ import annotations

import re

__all__ = ["third_person"]

# Words after which "you" is the subject of a clause ("if you bend", "have you", "when you").
_BEFORE_SUBJECT = frozenset(
    [
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "are",
        "is",
        "was",
        "were",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "if",
        "when",
        "whenever",
        "while",
        "whilst",
        "that",
        "because",
        "as",
        "since",
        "until",
        "unless",
        "before",
        "after",
        "where",
        "whether",
        "and",
        "or",
        "but",
        "so",
        "than",
        "though",
        "although",
        "once",
        "how",
        "what",
        "which",
        "who",
        "why",
    ]
)
# Words after which "you" is the subject even mid-clause ("you should", "you feel").
_AFTER_SUBJECT = frozenset(
    [
        "are",
        "were",
        "have",
        "had",
        "do",
        "did",
        "don't",
        "didn't",
        "can",
        "can't",
        "cannot",
        "could",
        "couldn't",
        "will",
        "won't",
        "would",
        "wouldn't",
        "should",
        "shouldn't",
        "may",
        "might",
        "must",
        "need",
        "get",
        "got",
        "feel",
        "felt",
        "notice",
        "noticed",
        "think",
        "take",
        "crack",
        "lift",
        "bend",
        "sit",
        "stand",
        "walk",
        "move",
        "wipe",
        "go",
        "went",
        "first",
        "carry",
        "sleep",
        "exercise",
        "train",
        "cough",
        "sneeze",
        "strain",
        "pass",
        "hear",
        "lie",
        "turn",
        "twist",
        "raise",
        "stop",
        "start",
        "know",
    ]
)
_FIXED = {
    "yourself": "themselves",
    "yours": "theirs",
    "your": "their",
    "you're": "they're",
    "you've": "they've",
    "you'd": "they'd",
    "you'll": "they'll",
}
_WORD = re.compile(r"[A-Za-z']+|[^A-Za-z']+")


def _cap(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def third_person(text: str) -> str:
    """``text`` addressed to the person being answered for, in the singular "they"."""
    parts = _WORD.findall(text)
    out: list[str] = []
    prev_word = ""  # the last word, lower case; "" at the start of a sentence or clause
    for i, part in enumerate(parts):
        low = part.lower().replace("’", "'")
        if not part[:1].isalpha() and part[:1] != "'":
            out.append(part)
            if any(c in part for c in ".?!:;,(—–-"):
                prev_word = ""
            continue
        if low in _FIXED:
            out.append(_cap(_FIXED[low], part))
        elif low == "you":
            nxt = next((p.lower() for p in parts[i + 1 :] if p[:1].isalpha()), "")
            subject = not prev_word or prev_word in _BEFORE_SUBJECT or nxt in _AFTER_SUBJECT
            out.append(_cap("they" if subject else "them", part))
        else:
            out.append(part)
        prev_word = low
    return "".join(out)
