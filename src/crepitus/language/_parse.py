"""Text -> finding mentions: match the lexicon, assign ConText assertions, resolve context.

The steps, each over token indices of one spaCy ``Doc``:

1. tokenise with ``spacy.blank("en")``; read tokens one slip from a lexicon word as that word;
2. match every lexicon phrase and trigger phrase in one PhraseMatcher pass (plus one on exact
   capitals for abbreviations);
3. within one finding, a phrase inside a longer outright phrase gives way ("pain" in "pain
   free"); an entry's blockers in the same segment drop it ("slipped disc" is not a fall);
4. ConText triggers (``_context``) give each mention its assertion;
5. cued phrases are kept only where their context holds (``Entry.needs``, ``cue_words``);
   "deny_only" phrases only where denied;
6. per finding, the mentions are merged into one item and derived findings added (``_derive``).
"""

from __future__ import annotations

from typing import Any

from crepitus.language import _context, _derive, _rules
from crepitus.language._engine import Engine, Entry, engine
from crepitus.language._mention import Mention

_STRONG = ("term", "family", "absent")


def _present(assertion: str, entry: Entry | None, family_ok: bool) -> bool | None:
    if assertion == "affirmed":
        return True
    if assertion == "negated":
        return False
    if assertion == "historical" and entry is not None and entry.history_counts:
        return True
    if assertion == "other_person" and family_ok:
        return True
    return None


def mentions(
    text: str, patient: frozenset[str] | None = None
) -> tuple[list[Mention], _context.Layout]:
    """All mentions that hold in ``text`` (several per finding possible), and its layout.

    ``patient``: the words naming the person a text written for someone else is about."""
    eng = engine()
    doc = eng.nlp.make_doc(text)
    lay = _context.layout(doc, eng.speller.correct)  # before matching: it fixes NORMs
    n = len(lay.texts)
    if n == 0:
        return [], lay

    found: list[tuple[str, str, int, int]] = []  # (fid, kind, start, end)
    words: dict[int, list[tuple[int, int]]] = {}
    trig_raw: list[tuple[int, int, str, str]] = []
    for matcher in (eng.matcher, eng.exact):
        for match_id, start, end in matcher(doc):
            key = eng.keys[match_id]
            if key.what == "finding":
                found.append((key.name, key.sub, start, end))
            elif key.what == "words":
                words.setdefault(int(key.name), []).append((start, end))
            else:
                trig_raw.append((start, end, key.name, key.sub))

    # Within a finding, a phrase inside a longer (or equal, stronger) outright phrase gives way.
    rank = {"family": 0, "term": 1, "absent": 2, "deny": 3, "cued": 4, "doubt": 5}
    found.sort(key=lambda f: (f[2] - f[3], rank[f[1]], f[2]))
    kept: list[tuple[str, str, int, int]] = []
    covered: dict[str, set[int]] = {}  # per finding, the tokens its outright phrases kept hold
    for fid, kind, start, end in found:
        held = covered.get(fid)
        if held and any(j in held for j in range(start, end)):
            continue
        kept.append((fid, kind, start, end))
        if kind in _STRONG:
            covered.setdefault(fid, set()).update(range(start, end))

    def in_segment(list_id: int | None, start: int) -> bool:
        if list_id is None:
            return False
        seg = lay.seg[start]
        return any(lay.seg[s] == seg for s, _ in words.get(list_id, ()))

    kept = [k for k in kept if not in_segment(eng.entries[k[0]].blockers, k[2])]

    taken = [False] * n
    for _, _, start, end in kept:
        for j in range(start, end):
            taken[j] = True
    # The denial that ends a phrase of absence also covers what is listed before it: "are fine"
    # in "waterworks and legs are fine" denies the waterworks too.
    ends = {end for _, kind, _, end in kept if kind == "absent"}
    for start, end, cat, way in trig_raw:
        if cat == "negated" and way == "backward" and end in ends:
            for j in range(start, end):
                taken[j] = False
    # A denial that is itself a phrase of absence ("no falls", "haven't fallen") goes on over "or":
    # "no falls or bumps", "haven't fallen or knocked it" deny both.
    denial_starts = {a for a, _, cat, way in trig_raw if cat == "negated" and way != "backward"}
    for _, kind, start, end in kept:
        if (
            kind == "absent"
            and any(j in denial_starts for j in range(start, end))
            and end < n
            and lay.norms[end] in ("or", "nor")
        ):
            trig_raw.append((end, end + 1, "negated", "forward"))
    trigs = _context.triggers(lay, trig_raw, taken, patient)

    # Ends of words listed right before a phrase of absence ending in a state ("X and Y normal").
    listed_before: set[int] = set()
    for _, kind, start, end in kept:
        if kind == "absent" and lay.norms[end - 1] in _rules.STATE_WORDS:
            j = start - 1
            if j > 0 and lay.norms[j] in ("and", ",", "&", "or", "/"):
                listed_before.add(j)
    direct: list[Mention] = []
    cued: list[Mention] = []
    answered = _context.answered_no(lay) if "?" in lay.texts else frozenset()
    for fid, kind, start, end in kept:
        raw = _context.assertion(trigs, start, end)
        if raw == "affirmed" and lay.sent[start] in answered:
            raw = "negated"
        family_ok = raw == "family" and kind == "family"
        assertion = "other_person" if raw == "family" else raw
        if kind == "absent":
            # The phrase itself denies the finding; denying it again ("not painless") affirms
            # it, but only right next to it: a list's "no" does not reach "bowels normal" in
            # "no saddle anaesthesia, bladder and bowels normal".
            if assertion == "negated":
                assertion = "affirmed" if _context.denied_next_to(trigs, start, lay) else "negated"
            elif assertion == "affirmed":
                assertion = "negated"
        if kind == "deny" and assertion == "affirmed" and end in listed_before:
            assertion = "negated"  # "waterworks and bowels normal"
        elif (
            kind == "deny"
            and assertion == "negated"
            and not _context.denied(trigs, start, end, lay)
        ):
            continue  # "I couldn't pass urine" is not a denial of bladder trouble
        if kind == "doubt":
            if assertion == "uncertain":  # only doubt gives these words a meaning
                cued.append(Mention(fid, "cued", start, end, assertion))
        elif kind == "cued":
            cued.append(Mention(fid, kind, start, end, assertion))
        elif kind != "deny" or assertion == "negated":
            present = _present(assertion, eng.entries[fid], family_ok)
            lo, hi = _with_cue(trigs, start, end, raw, lay)
            direct.append(Mention(fid, kind, start, end, assertion, present, lo, hi))

    strong = [m for m in direct if m.kind in _STRONG]
    onsets = (
        {lay.sent[j] for j, w in enumerate(lay.norms) if w in _rules.ONSET_WORDS} if cued else set()
    )
    found_in = _Index(direct, strong, lay)
    resolved = [r for c in cued if (r := _resolve(c, found_in, words, lay, eng, onsets))]
    # A context made of cued phrases: "leg heaviness on walking, eased by sitting" is
    # claudication once "heaviness" by a leg word has been read as a leg symptom.
    done = {(m.fid, m.start) for m in resolved}
    pending = [c for c in cued if (c.fid, c.start) not in done]
    if pending and resolved:
        wider = _Index(direct + resolved, strong, lay)
        resolved += [r for c in pending if (r := _resolve(c, wider, words, lay, eng, onsets))]
    return direct + resolved, lay


class _Index:
    """Mentions by sentence and by the tokens they cover, each list in the mentions' own order,
    so that resolving one cued phrase looks at its neighbours only (parsing stays linear)."""

    def __init__(self, direct: list[Mention], strong: list[Mention], lay: _context.Layout) -> None:
        self.direct, self.strong = direct, strong
        self._sent: tuple[dict[int, list[int]], dict[int, list[int]]] = ({}, {})
        self._at: tuple[dict[int, list[Mention]], dict[int, list[Mention]]] = ({}, {})
        for which, mentions in enumerate((direct, strong)):
            for i, m in enumerate(mentions):
                self._sent[which].setdefault(lay.sent[m.start], []).append(i)
                for j in range(m.start, m.end):
                    self._at[which].setdefault(j, []).append(m)

    def _in(self, which: int, first: int, last: int) -> list[Mention]:
        """Mentions that start in sentences first..last, in their own order."""
        mentions = (self.direct, self.strong)[which]
        if first == last:
            return [mentions[i] for i in self._sent[which].get(first, ())]
        picked = sorted(i for s in range(first, last + 1) for i in self._sent[which].get(s, ()))
        return [mentions[i] for i in picked]

    def direct_in(self, first: int, last: int | None = None) -> list[Mention]:
        return self._in(0, first, first if last is None else last)

    def strong_in(self, first: int, last: int | None = None) -> list[Mention]:
        return self._in(1, first, first if last is None else last)

    def direct_at(self, j: int) -> list[Mention]:
        """Direct mentions whose phrase covers token ``j``."""
        return self._at[0].get(j, [])

    def strong_at(self, j: int) -> list[Mention]:
        return self._at[1].get(j, [])


def _with_cue(
    trigs: _context.Triggers, start: int, end: int, raw: str, lay: _context.Layout
) -> tuple[int, int]:
    """The span to show: a denial with its cue ("no numbness", "numbness has gone"), so that
    quoting it back to the person reads the way they wrote it."""
    if raw != "negated":
        return -1, -1
    t = _context.reaching(trigs, start, end, "negated")
    if t is None or lay.sent[t.start] != lay.sent[start]:
        return -1, -1
    lo = min(start, t.start)
    while lo > 0 and not lay.ws[lo - 1] and lay.alpha[lo - 1]:
        lo -= 1  # "does|n't hurt": the whole contraction
    return lo, max(end, t.end)


def _resolve(
    c: Mention,
    found: _Index,
    words: dict[int, list[tuple[int, int]]],
    lay: _context.Layout,
    eng: Engine,
    onsets: set[int],
) -> Mention | None:
    """A cued phrase if its context holds, with its assertion and the span it was read from."""
    entry = eng.entries[c.fid]
    sent, seg = lay.sent[c.start], lay.seg[c.start]
    # A cued phrase inside a longer phrase of a finding of another kind is that finding's ("all
    # day" in "sit all day"); of the same kind, it can add to it ("squat" in "pops when I squat").
    # The very same words can be read both ways ("a lump that throbs": pain, and a pulsing lump).
    kind_of = eng.groups.get(c.fid)
    if any(
        m.fid != c.fid and eng.groups.get(m.fid) != kind_of and m.start <= c.start
        and c.end <= m.end and m.end - m.start > c.end - c.start
        for m in found.strong_at(c.start)
    ):  # fmt: skip
        return None
    prev = c.start - 1
    if (
        lay.norms[c.start] in ("all", "whole")
        and prev >= 0
        and lay.norms[prev].endswith("ing")
        and lay.alpha[prev]
        and lay.norms[prev] not in _rules.OCCURRING
        and not found.direct_at(prev)
    ):
        return None  # "when I've been gardening all day": the day is the activity's
    if entry.cue_words is not None:
        where, at = (lay.sent, sent) if entry.cue_sentence else (lay.seg, seg)
        if not any(where[s] == at for s, _ in words.get(entry.cue_words, ())):
            return None
    here = found.direct_in(sent)
    if any(m.fid in entry.unless and m.assertion != "negated" for m in here):
        return None
    anchor: Mention | None = None
    if entry.needs:
        if entry.scope == "nearest":
            here_strong = found.strong_in(sent)
            mine = [m for m in here_strong if lay.seg[m.start] == seg]
            if (
                mine
                and not any(m.fid in eng.anchors for m in mine)
                and any(eng.groups.get(m.fid) in ("history", "nerves") for m in mine)
            ):
                # "... and I'm getting sweats and shivers at night": the time or activity is
                # that of the finding of its own segment, not of a pain further away.
                return None
            if not any(m.fid in eng.anchors for m in here_strong):
                # "It pops when I twist. Pain free. I feel a release afterwards.": the nearest
                # wanted one of the two sentences before
                here_strong = [
                    m for m in found.strong_in(max(sent - 2, 0), sent - 1)
                    if m.fid in entry.needs[0]
                ][-1:]  # fmt: skip
            anchor = _nearest(c, here_strong, lay, eng, entry.needs[0])
            if anchor is None or anchor.fid not in entry.needs[0]:
                return None
            groups = entry.needs[1:]
        else:
            groups = entry.needs
        pool = [
            m for m in here
            if m.assertion != "negated" and (entry.scope != "segment" or lay.seg[m.start] == seg)
        ]  # fmt: skip
        if entry.scope == "sentence" and sent in onsets:
            # "Sneezing is agony. Started after I carried a sofa.": an onset sentence is about
            # the complaint of the two sentences before it.
            pool += [
                m for m in found.direct_in(max(sent - 2, 0), sent - 1)
                if m.assertion != "negated"
            ]  # fmt: skip
        for i, group in enumerate(groups):
            hits = [m for m in pool if m.fid in group]
            if not hits:
                return None
            if anchor is None and i == 0:
                anchor = min(hits, key=lambda m: abs(m.start - c.start))
        if anchor is not None and anchor.assertion == "negated":
            return None
    assertion = c.assertion
    if assertion != "negated" and anchor is not None:
        # "If I bend over, my back clicks": the activity is the condition of a real click.
        assertion = anchor.assertion
    lo, hi = c.start, c.end
    if anchor is not None and lay.seg[anchor.start] == seg:
        lo, hi = min(lo, anchor.start), max(hi, anchor.end)
    present = _present(assertion, entry, False)
    return Mention(c.fid, c.kind, c.start, c.end, assertion, present, lo, hi)


_COORD = frozenset(["and", "n", "&", "or", ",", "/", "+"])


def _nearest(
    c: Mention, cands: list[Mention], lay: _context.Layout, eng: Engine, want: frozenset[str]
) -> Mention | None:
    """The sound or pain mention an activity phrase belongs to: same segment first, then the
    fewest punctuation marks between, the fewest words, the one before it."""
    cands = [m for m in cands if m.fid in eng.anchors and (m.end <= c.start or m.start >= c.end)]
    # A sound inside self-cracking ("crack" in "crack it") is that self-cracking; but the click
    # in "a sharp pain and a click" stays a click.
    cands = [
        m for m in cands
        if not any(o.fid != m.fid and o.start <= m.start and m.end <= o.end
                   and (o.end - o.start) > (m.end - m.start)
                   and eng.groups.get(o.fid) == eng.groups.get(m.fid) for o in cands)
    ]  # fmt: skip
    best: tuple[int, ...] | None = None
    found: Mention | None = None
    for m in cands:
        lo, hi = (m.end, c.start) if m.end <= c.start else (c.end, m.start)
        marks = sum(1 for j in range(lo, hi) if lay.punct[j])
        # ... and last the narrower: "click" rather than "pain and a click"
        score = (
            int(lay.seg[m.start] != lay.seg[c.start]),
            marks,
            hi - lo,
            int(m.start > c.start),
            m.end - m.start,
        )
        if best is None or score < best:
            best, found = score, m
    if found is not None and found.fid not in want:
        # "clicks and hurts when I bend": the activity goes with both coordinated words
        for m in cands:
            lo, hi = (m.end, found.start) if m.end <= found.start else (found.end, m.start)
            if m.fid in want and lo <= hi and all(lay.norms[j] in _COORD for j in range(lo, hi)):
                return m
    return found


# Which None reading to report when a finding has no present/absent mention: doubt first (the
# interview should ask), then the rest.
_NONE_ORDER = {"uncertain": 0, "hypothetical": 1, "historical": 2, "other_person": 3}


def _rank(m: Mention) -> tuple[int, int, int]:
    if m.present is True:
        tier = 0
    elif m.present is None and m.assertion == "uncertain":
        tier = 1
    elif m.present is False:
        tier = 2
    else:
        tier = 3 + _NONE_ORDER.get(m.assertion, 4)
    return (tier, m.start, m.end)


def merge(found: list[Mention]) -> dict[str, Mention]:
    """One mention per finding: present beats doubt beats absent beats the other readings.

    Present wins over absent because it is the safe reading of a text that says both
    ("no pain at rest, but sharp pain when I bend"); doubt beats absent so the interview asks.
    """
    best: dict[str, Mention] = {}
    for m in found:
        old = best.get(m.fid)
        if old is None or _rank(m) < _rank(old):
            best[m.fid] = m
    return best


def parse(text: str, patient: frozenset[str] | None = None) -> list[dict[str, Any]]:
    found, lay = mentions(text, patient)
    if not lay.texts:
        return []
    eng = engine()
    best = merge(found)
    for d in _derive.derive(text, lay, found, best, eng):
        old = best.get(d.fid)
        if (
            old is None
            or (d.present is True and old.present is not True)
            or (old.kind != "derived" and d.start <= old.start and old.end <= d.end)
        ):
            # The last: a reading inside a vital sign is that sign's ("temp 36.5" is no fever).
            best[d.fid] = d
    items: list[dict[str, Any]] = []
    for m in best.values():
        lo, hi = m.shown
        start = lay.idx[lo]
        end = lay.idx[hi - 1] + len(lay.texts[hi - 1])
        items.append({
            "id": m.fid,
            "present": m.present,
            "assertion": m.assertion,
            "span": [start, end],
            "text": text[start:end],
            "origin": "text",
        })  # fmt: skip
    items.sort(key=lambda it: (it["span"], it["id"]))
    return items
