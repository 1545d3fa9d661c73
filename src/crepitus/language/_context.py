"""Sentences, segments and clauses, and ConText assertions over them.

Three nested units, all computed from closed word classes (``_rules``), no parser:

* sentence: ends at . ! ? ; or a line break;
* segment: a sentence is cut before "but"/"however"/... (terminators), dashes and brackets, and
  before a comma or coordinator that starts a new subject (", and I ...", "... and my legs");
* clause: a segment is further cut before subordinators ("when", "if", "because", "since I")
  and contrasts ("no pain, just clicking").

A trigger's scope runs to the end (or back to the start) of its clause and stops at any other
trigger, so a list shares one negation ("denies fever, weight loss or bladder changes") while
"but", a new subject or another trigger ("..., h/o breast ca") ends it. Besides:

* "other person" scopes stop at the writer's own "I"/"my" ("my wife says I shuffle" is about
  the writer); hypothetical scopes stop at the second subject ("if I bend over my back clicks":
  only "I bend over" is conditional);
* a negation followed by an exception is no denial ("no pain except when I bend");
* a negation of ability ("can't", "couldn't") reaches no further than its own phrase: "can't
  stand straight, leaning to one side" denies nothing, and "couldn't pass urine" is never read
  as a denial of bladder trouble;
* "years ago" and "last year" date an onset, not a history, when the same segment says it
  started ("it started years ago"); "for the past week", "since Monday" are never history;
  a history runs on into "..., that was the worst pain of my life";
* "can't stand up without my back going into spasm" denies nothing: the spasm is there;
* a hedge right before a number doubts the number ("I crack it maybe 3-4 times a day");
* a question answered "No." in the next sentence is a denial ("Pins and needles? No.");
* ", felt faint" after a comma starts a clause of its own, as a new subject does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from crepitus.language import _rules
from crepitus.language._morph import lemma

# The strongest reading wins when several triggers reach one mention: a statement about someone
# else or about a hypothetical says nothing of the person now, then denial, then doubt, then time.
_PRIORITY = ("other", "family", "hypothetical", "negated", "uncertain", "historical")
ASSERTION = {
    "other": "other_person",
    "family": "other_person",
    "hypothetical": "hypothetical",
    "negated": "negated",
    "uncertain": "uncertain",
    "historical": "historical",
}


_EXCEPTIONS = frozenset(["except", "apart", "aside", "besides", "other", "unless"])
_MODALS = frozenset(["can", "could", "will", "would", "wo", "ca"])


@dataclass(frozen=True, slots=True)
class Layout:
    """Per-token facts, read from the Doc once (spaCy token objects are slow to make)."""

    texts: list[str]
    norms: list[str]
    idx: list[int]  # character offset of each token
    ws: list[bool]  # followed by whitespace
    alpha: list[bool]
    num: list[bool]
    punct: list[bool]
    sent: list[int]
    seg: list[int]
    clause: list[int]
    first_person: bool
    # Tokens read as another word by the speller: (token index, the lexicon word).
    corrected: tuple[tuple[int, str], ...] = ()


def layout(doc: Any, correct: Callable[[str], str | None] | None = None) -> Layout:
    """Read the tokens, apply spelling corrections to their NORM, and cut sentences, segments
    and clauses."""
    texts: list[str] = []
    norms: list[str] = []
    corrected: list[tuple[int, str]] = []
    idx: list[int] = []
    ws: list[bool] = []
    alpha: list[bool] = []
    num: list[bool] = []
    punct: list[bool] = []
    for tok in doc:
        text = tok.text
        is_alpha = tok.is_alpha
        norm = tok.norm_
        if correct is not None and is_alpha and len(text) >= 5:
            fixed = correct(norm)
            if fixed is not None:
                tok.norm_ = norm = fixed
                corrected.append((len(texts), fixed))
        elif text[-1:] in "xX" and text[:-1].isdigit():
            tok.norm_ = norm = "times"  # "20x a day"
        if norm in _rules.PERSON_NORMS:
            # Matched as first person; the layout keeps the word as written for the triggers.
            tok.norm_ = _rules.PERSON_NORMS[norm]
        elif (base := lemma(norm)) != norm:
            tok.norm_ = base  # matched by its lemma ("numbed" -> "numb"); kept as written here
        texts.append(text)
        norms.append(norm)
        idx.append(tok.idx)
        ws.append(bool(tok.whitespace_))
        alpha.append(is_alpha)
        num.append(text[:1].isdigit())
        punct.append(not is_alpha and (tok.is_punct or text.isspace()))
    n = len(texts)
    sent = [0] * n
    seg = [0] * n
    clause = [0] * n
    s = g = c = 0
    end_before = False
    for i in range(n):
        low = norms[i]
        text = texts[i]
        nxt = norms[i + 1] if i + 1 < n else ""
        if i:
            if end_before:
                s, g, c = s + 1, g + 1, c + 1
            elif (
                low in _rules.TERMINATORS
                or (text in _rules.DASHES and (text != "-" or ws[i - 1]))
                or texts[i - 1] in (")", "]")
                or (low == "other" and nxt == "than")
                or (low in _rules.COORDINATORS and nxt in _rules.SUBJECT_STARTERS)
                or (low == "," and nxt in _rules.CLAUSE_VERBS)
            ):
                g, c = g + 1, c + 1
            elif (
                low in _rules.SUBORDINATORS
                or (
                    low in _rules.SUBORDINATORS_BEFORE_SUBJECT
                    and (nxt in _rules.SUBJECT_STARTERS or nxt == "then")
                )
                or (low in ("every", "each") and nxt == "time")
                or (low in ("and", "&") and nxt in _rules.FINITE_VERBS)
                or (low in _rules.CONTRASTS and norms[i - 1] != "not")
                or (low == "more" and nxt in ("of", "like"))
            ):
                c += 1
        if punct[i]:
            # A line break or . ! ? ; ends a sentence, but "?sciatica" (query) does not.
            end_before = (
                ("\n" in text if not text.strip() else not text.strip(_rules.SENTENCE_END_CHARS))
                and not (text == "?" and not ws[i] and i + 1 < n and alpha[i + 1])
                # "bilat. leg pain", "approx. 3/52": an abbreviation's full stop, then lower case
                and not (
                    text == "."
                    and i
                    and norms[i - 1].lower() in _rules.NOTE_ABBREVIATIONS
                    and i + 1 < n
                    and (texts[i + 1][:1].islower() or texts[i + 1][:1].isdigit())
                )
            )
        else:
            end_before = False
        sent[i], seg[i], clause[i] = s, g, c
    first = not _rules.FIRST_PERSON.isdisjoint(norms)
    return Layout(
        texts, norms, idx, ws, alpha, num, punct, sent, seg, clause, first, tuple(corrected)
    )


@dataclass(frozen=True, slots=True)
class Trigger:
    start: int
    end: int
    category: str
    direction: str
    lo: int  # scope, token indices [lo, hi)
    hi: int


class Triggers(list[Trigger]):
    """A text's triggers, indexed by the tokens their scopes reach: what reaches a phrase is then
    found among a handful of triggers, not all of the text's, so parsing stays linear."""

    def __init__(self, items: Iterable[Trigger] = ()) -> None:
        super().__init__(items)
        self._at: dict[int, list[Trigger]] = {}
        for t in self:
            # Token j can be reached by t when j is in its forward scope [end, hi) or, for a
            # phrase ending before it, in its backward scope [lo, start); in the text's order.
            ranges = []
            if t.direction in ("forward", "both"):
                ranges.append(range(t.end, t.hi))
            if t.direction in ("backward", "both"):
                ranges.append(range(t.lo, t.start))
            for r in ranges:
                for j in r:
                    at = self._at.setdefault(j, [])
                    if not at or at[-1] is not t:
                        at.append(t)

    def near(self, start: int) -> Sequence[Trigger]:
        """The triggers whose scope may reach a phrase starting at token ``start``."""
        return self._at.get(start, ())


def _near(trigs: Sequence[Trigger], start: int) -> Sequence[Trigger]:
    return trigs.near(start) if isinstance(trigs, Triggers) else trigs


def _keep(lay: Layout, start: int, end: int, category: str, phrase: str) -> bool:
    """Trigger-specific checks that a plain phrase list cannot express."""
    norms = lay.norms
    prev = norms[start - 1] if start else ""
    nxt = norms[end] if end < len(norms) else ""
    if category == "historical":
        if (
            phrase in _rules.HISTORY_OF
            and start
            and (prev in _rules.DURATION_UNITS or _rules.NOTE_DURATION.fullmatch(prev))
        ):
            # "6 week history of worsening LBP", "3/12 hx of": how long it has gone on, not a past
            return False
        if phrase == "before":
            # "had sciatica before", not "it cracks before I get up".
            return any(
                norms[j] == "had" and lay.clause[j] == lay.clause[start] for j in range(start)
            )
        if phrase == "used to":
            return prev not in _rules.BE_GET
        if phrase == "in the past":
            return not (nxt in _rules.DURATION_UNITS or lay.num[end]) if nxt else True
        if "ago" in phrase or "back" in phrase or "last year" in phrase or phrase[-1].isdigit():
            if phrase.startswith("last year") and prev in _rules.DURATION_LEADS:
                return False
            # A past year ("in 2015") too. "it started years ago": that dates an onset, the thing
            # itself is current; but "fine since" says it is over.
            return not any(
                norms[j] in _rules.ONSET_WORDS
                and not (j and norms[j - 1] in _rules.WELL_WORDS)
                # "have been fine since" says it is over too
                and not (
                    norms[j] == "been" and j + 1 < len(norms) and norms[j + 1] in _rules.WELL_WORDS
                )
                for j in range(len(norms))
                if lay.seg[j] == lay.seg[start]
            )
    if category == "uncertain" and phrase in _rules.NUMBER_HEDGES and end < len(norms):
        # "I crack it myself maybe 3-4 times a day": the doubt is about the number
        after = norms[end + 1] if end + 1 < len(norms) else ""
        return not (
            lay.num[end]
            or nxt in _rules.QUANTITY_WORDS
            or (nxt in ("a", "an") and after in _rules.FEW_WORDS)
        )
    if phrase == "?":
        # Only the clinical prefix "?sciatica"; a question mark ending a question is not doubt.
        return (
            not lay.ws[start]
            and end < len(lay.texts)
            and lay.alpha[end]
            and (start == 0 or lay.ws[start - 1])
        )
    return True


def _names_patient(lay: Layout, start: int, end: int, patient: frozenset[str]) -> bool:
    """A trigger phrase that only names the patient ("my husband", "he"), in a text about them."""
    names = [w for w in lay.norms[start:end] if w.isalpha()]
    return (
        bool(names)
        and any(w in patient for w in names)
        and all(w in patient or w in ("my", "our") for w in names)
    )


def triggers(
    lay: Layout,
    raw: list[tuple[int, int, str, str]],
    taken: list[bool],
    patient: frozenset[str] | None = None,
) -> Triggers:
    """Filter matched trigger phrases, pick the longest non-overlapping ones, compute scopes.

    ``raw`` holds (start, end, category, direction); ``taken[i]`` marks tokens inside a finding
    phrase: a trigger word inside one ("can't pee", "not getting better") is part of what the
    finding means, not a modifier of other words. ``patient`` names the person a text written
    for someone else is about: words that only name them start no "someone else" scope.
    """
    cands: list[tuple[int, int, str, str]] = []
    for start, end, cat, direction in raw:
        if any(taken[start:end]):
            continue
        if (
            patient is not None
            and cat in ("other", "family")
            and _names_patient(lay, start, end, patient)
        ):
            continue
        phrase = " ".join(lay.norms[start:end])
        if _keep(lay, start, end, cat, phrase):
            cands.append((start, end, cat, direction))
    if lay.first_person and patient is None:
        # In a first-person text "he"/"she" is someone else; in a clinical note it is the patient.
        for i, w in enumerate(lay.norms):
            if w in ("he", "she") and not taken[i]:
                cands.append((i, i + 1, "other", "forward"))
    cands.sort(key=lambda t: (t[0] - t[1], t[0]))
    used = [False] * len(lay.norms)
    chosen: list[tuple[int, int, str, str]] = []
    for start, end, cat, direction in cands:
        if not any(used[start:end]):
            chosen.append((start, end, cat, direction))
            for j in range(start, end):
                used[j] = True
    chosen.sort()
    out: list[Trigger] = []
    n = len(lay.norms)
    for k, (start, end, cat, direction) in enumerate(chosen):
        next_start = chosen[k + 1][0] if k + 1 < len(chosen) else n
        prev_end = chosen[k - 1][1] if k else 0
        lo, hi = end, end
        if direction in ("forward", "both") and end < n:
            clause = lay.clause[end - 1]
            if lay.clause[end] != clause and lay.seg[end] == lay.seg[end - 1]:
                clause = lay.clause[end]  # "not | when I bend": the clause is what is denied
            subjects = 0
            inability = cat == "negated" and _inability(lay, start)
            while hi < next_start:
                if lay.clause[hi] != clause:
                    if not (
                        cat == "hypothetical"
                        and lay.norms[hi] in ("or", "and")
                        and hi + 1 < n
                        and lay.norms[hi + 1] in _rules.FINITE_VERBS
                    ):
                        break
                    # "if I had numbness or couldn't control my bladder": both are conditions
                    clause = lay.clause[hi]
                w = lay.norms[hi]
                if inability and lay.punct[hi]:
                    break  # "can't stand straight, leaning to one side": no list after it
                if hi == end and lay.texts[hi] == "," and cat != "family":
                    break  # "even when I'm not, weird numb feeling": the cue denied nothing after
                if (
                    cat in ("other", "family")
                    and lay.texts[hi] == ","
                    and hi + 1 < n
                    and lay.norms[hi + 1] in _rules.EVENT_STARTERS
                ):
                    break  # "my son hopped on my lap, a loud pop, then ...": a new event
                if cat in ("other", "family") and w in _rules.FIRST_PERSON:
                    break
                if cat == "hypothetical" and w in _rules.SUBJECT_STARTERS and _is_subject(lay, hi):
                    # "if I bend over my back clicks": the second subject ends the condition;
                    # "if I had numbness in my legs or ...": "my" after "in" is no subject.
                    subjects += 1
                    if subjects > 1:
                        break
                hi += 1
        if cat == "historical" and direction != "backward" and hi < next_start:
            hi = _past_clause(lay, end, hi, next_start)
        if (
            cat == "negated"
            and hi < n
            and lay.norms[hi] in _EXCEPTIONS
            and lay.sent[hi] == lay.sent[start]
        ):
            continue  # "no pain except when I bend": the pain is there, under a condition
        if cat == "negated" and lay.norms[start] == "without" and _unable_before(lay, start):
            continue  # "can't stand up without my back going into spasm": the spasm is there
        if direction in ("backward", "both"):
            lo = start
            clause = lay.clause[start]
            if start and lay.clause[start - 1] != clause and lay.seg[start - 1] == lay.seg[start]:
                clause = lay.clause[start - 1]  # "had a fever | when I was younger"
            while lo > prev_end and lay.clause[lo - 1] == clause:
                lo -= 1
            if (
                direction == "both"
                and start
                and lay.texts[start - 1] == ","
                and any(not lay.punct[j] for j in range(end, hi))
            ):
                lo = start  # "not better at all, maybe a little worse": the doubt is ahead
        out.append(Trigger(start, end, cat, direction, lo, hi))
    return Triggers(out)


_UNABLE: Final = frozenset(["unable", "impossible"])
_UNABLE_TO: Final = frozenset(["struggle", "struggling", "hard", "difficult"])  # ... "to"


def _is_subject(lay: Layout, i: int) -> bool:
    """Whether a subject starter at ``i`` begins a subject: a pronoun does; "my" only when a verb
    follows its noun ("if I bend over my back clicks"), not in "control my bladder"."""
    if lay.norms[i] not in ("my", "his", "her", "our", "their", "the", "your"):
        return True
    if i and lay.norms[i - 1] in _rules.PREPOSITIONS:
        return False
    after = lay.norms[i + 2] if i + 2 < len(lay.norms) else ""
    return after in _rules.FINITE_VERBS or (
        after.endswith("s") and after.isalpha() and len(after) > 3
    )


def _past_clause(lay: Layout, end: int, hi: int, stop: int) -> int:
    """A history's scope runs on into "..., that was the worst pain of my life"."""
    k, n = hi, len(lay.norms)
    while k < n and lay.punct[k] and lay.sent[k] == lay.sent[end - 1]:
        k += 1
    if (
        k + 1 < n
        and k < stop
        and lay.sent[k] == lay.sent[end - 1]
        and lay.norms[k] in _rules.PAST_REFERENCE
        and lay.norms[k + 1] in _rules.PAST_BE
    ):
        clause = lay.clause[k + 1]
        hi = k
        while hi < stop and hi < n and lay.clause[hi] in (clause, lay.clause[k]):
            hi += 1
    return hi


def answered_no(lay: Layout) -> frozenset[int]:
    """Sentences that are questions answered "no" by the next one ("Pins and needles? No.")."""
    out: set[int] = set()
    n = len(lay.norms)
    for i in range(n - 1):
        if lay.texts[i] != "?" or lay.sent[i + 1] == lay.sent[i]:
            continue
        nxt = lay.sent[i + 1]
        words = [lay.norms[j] for j in range(i + 1, n) if lay.sent[j] == nxt and not lay.punct[j]]
        if words and words[0] in _rules.NO_ANSWERS and len(words) <= 2:
            out.add(lay.sent[i])
    return frozenset(out)


def _unable_before(lay: Layout, start: int) -> bool:
    """An inability earlier in the clause ("can't ... without", "unable to ... without")."""
    j = start - 1
    while j >= 0 and lay.clause[j] == lay.clause[start] and start - j <= 8:
        w = lay.norms[j]
        if (
            w in _UNABLE
            or (w in _UNABLE_TO and lay.norms[j + 1] == "to")
            or (w == "not" and _inability(lay, j))
        ):
            return True
        j -= 1
    return False


def _inability(lay: Layout, start: int) -> bool:
    """A "not" of ability ("can't", "couldn't", "won't"): it says what the person cannot do,
    which is often the finding itself, not a denial of what follows."""
    if lay.norms[start] != "not":
        return False
    if start > 0 and lay.norms[start - 1] in _MODALS:
        return True
    # "was not able to draw breath"
    return lay.norms[start + 1 : start + 3] == ["able", "to"]


def denied(trigs: Sequence[Trigger], start: int, end: int, lay: Layout) -> bool:
    """Whether a denial (not an inability) reaches tokens [start, end)."""
    return any(
        t.category == "negated" and assertion([t], start, end) == "negated"
        and not _inability(lay, t.start)
        for t in _near(trigs, start)
    )  # fmt: skip


def denied_next_to(trigs: Sequence[Trigger], start: int, lay: Layout) -> bool:
    """A negation right before ``start`` ("not painless", "isn't pain free")."""
    return any(
        t.category == "negated"
        and t.direction in ("forward", "both")
        and 0 <= start - t.end <= 2
        and not any(lay.punct[t.end : start])
        for t in trigs
    )


def reaching(trigs: Sequence[Trigger], start: int, end: int, category: str) -> Trigger | None:
    """The nearest trigger of ``category`` whose scope reaches tokens [start, end)."""
    best: Trigger | None = None
    for t in _near(trigs, start):
        if t.category != category:
            continue
        forward = t.direction in ("forward", "both") and t.end <= start < t.hi
        backward = t.direction in ("backward", "both") and t.lo <= start and end <= t.start
        if (forward or backward) and (
            best is None or abs(t.start - start) < abs(best.start - start)
        ):
            best = t
    return best


def assertion(trigs: Sequence[Trigger], start: int, end: int) -> str:
    """The ConText category that reaches tokens [start, end), or "affirmed"."""
    hits: set[str] = set()
    for t in _near(trigs, start):
        forward = t.direction in ("forward", "both") and t.end <= start < t.hi
        backward = t.direction in ("backward", "both") and t.lo <= start and end <= t.start
        if forward or backward:
            hits.add(t.category)
    for cat in _PRIORITY:
        if cat in hits:
            if cat == "family" and "other" in hits:
                return "other_person"
            return "family" if cat == "family" else ASSERTION[cat]
    return "affirmed"
