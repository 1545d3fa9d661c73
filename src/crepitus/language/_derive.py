"""Findings that follow from what the text says rather than from one phrase.

* Durations -> pain_over_3_days / pain_over_6_weeks / pain_over_3_months. A duration belongs
  to the findings of its segment; it counts for these when that segment has a pain-group
  finding present ("aching for a week"), when the segment is only the duration and a neighbour
  in the sentence has one ("For five months, ..."), or when it is an anaphoric "it has been like
  this for a year" in a text where pain is present. "I've lost 8 kilos over three months and now
  my back hurts" gives nothing: the months belong to the weight.
* Laterality -> bilateral_leg_symptoms: a leg finding with plural legs/feet or "both" is
  bilateral; with only "left" or only "right" it is absent (one-sided).
* Implications: the knowledge base's ``implies`` (pain_sharp -> pain, leg_weakness_severe ->
  leg_weakness, ...) and "getting worse" -> "not getting better" when it is said of a pain that
  is there, not of the clicking ("it doesn't hurt but the clicking is getting louder").

Derived items are "affirmed" (or "negated" for a ruled-out threshold or a one-sided leg) and
carry the span they came from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Final

from crepitus import kb
from crepitus.language import _context, _durations, _rules
from crepitus.language._engine import Engine
from crepitus.language._mention import Mention
from crepitus.language._rules import DIGIT, words

# The findings a stated duration gives (their thresholds: knowledge/thresholds.yaml).
_DURATION_IDS: Final = frozenset(["pain_over_3_days", "pain_over_6_weeks", "pain_over_3_months"])
_COMPLAINTS: Final = frozenset(["pain", "stiffness", "morning_stiffness", "muscle_spasm"])
_ANAPHORA: Final = words(
    "it its this that like going ongoing started began start symptoms symptom problem "
    "problems issue issues trouble"
)
LEG_FINDINGS: Final = frozenset(
    ["leg_numbness", "leg_tingling", "leg_weakness", "leg_weakness_severe", "pain_below_knee",
     "unable_to_bear_weight"]
)  # fmt: skip
# Words that, with the duration, make a sentence that only says how long "it" has been going
# on: "Been a few weeks.", "Three years now.", "It has been like this for a year."
_FILLER: Final = _ANAPHORA | words(
    "been has have had 've 's is was i and now so then for about almost nearly around roughly "
    "well over on off the a in total far already ago since at least just more than or"
)
# Findings that are an onset event: a date on them ("tripped three weeks ago") dates the pain.
_EVENTS: Final = frozenset(["trauma_minor", "trauma_major", "pain_after_sudden_move"])
_EPISODIC: Final = frozenset(["stiffness", "morning_stiffness", "muscle_spasm"])
_LEG_PLURAL: Final = words("legs feet calves shins thighs ankles knees")
_LEG_SINGLE: Final = words("leg foot calf shin thigh ankle knee side sciatica buttock")
_SIDES: Final = words("left right one")
_AND: Final = frozenset(["and", "&", "+", "/"])
_ON: Final = words("on off")
_NOISE: Final = words("louder noisier often frequent frequently regularly happening")
_ALSO: Final = words("too also as well now")


def _token_at(starts: list[int], char: int) -> int:
    return max(0, bisect_right(starts, char) - 1)


def derive(
    text: str,
    lay: _context.Layout,
    found: list[Mention],
    best: dict[str, Mention],
    eng: Engine,
) -> list[Mention]:
    out = _from_durations(text, lay, found, eng)
    if DIGIT.search(text):
        # Vital signs and power grades are numbers: a text without a digit (most) skips them.
        out += _from_vitals(text, lay, eng.thresholds.vital_signs)
        out += _from_power(text, lay, eng.thresholds.power.severe_at_most)
    if "pain_sudden_severe" not in best:
        out += _sudden_severe(lay, found)
    have_true = {fid for fid, m in best.items() if m.present is True}
    have_true |= {d.fid for d in out if d.present is True}
    if "bilateral_leg_symptoms" not in have_true:
        side = _laterality(lay, found)
        if side is not None and (side.present or "bilateral_leg_symptoms" not in best):
            out.append(side)
            if side.present:
                have_true.add(side.fid)
    out.extend(_implied(have_true, best, out, eng, _worsening_of_pain(lay, found, eng)))
    return out


def _sudden_severe(lay: _context.Layout, found: list[Mention]) -> list[Mention]:
    """A severe pain said to come suddenly, in any of the words the lexicon has for severe
    ("sudden and excruciating pain", "suddenly I was in a lot of pain")."""
    sudden = [j for j, w in enumerate(lay.norms) if w in _rules.SUDDEN_WORDS]
    # A pain that came suddenly with a lift or a bend is told by that (pain_after_sudden_move).
    moved = {lay.sent[m.start] for m in found if m.fid == "pain_after_sudden_move" and m.present}
    for m in found:
        if lay.sent[m.start] in moved:
            continue
        if m.fid == "pain_severe" and m.present is True and m.assertion == "affirmed":
            for j in sudden:
                if j and lay.norms[j - 1] in ("not", "never", "no"):
                    continue  # "not suddenly"
                if lay.seg[j] == lay.seg[m.start] and abs(j - m.start) <= 6:
                    a, b = min(j, m.start), max(j + 1, m.end)
                    return [Mention("pain_sudden_severe", "derived", a, b)]
    return []


def _worsening_of_pain(lay: _context.Layout, found: list[Mention], eng: Engine) -> bool:
    """Whether a "getting worse" is said of a pain that is there, not of the clicking ("it
    doesn't hurt but the clicking is getting louder") nor of a denied pain: its subject is the
    nearest sound or pain mention (same segment first, then the fewest words; else the last one
    of the two sentences before). One with no subject at all counts."""
    said = [m for m in found if m.fid in eng.anchors and m.kind != "derived"]
    for w in found:
        if w.fid != "pain_worsening" or w.present is not True:
            continue
        sent, seg = lay.sent[w.start], lay.seg[w.start]
        here = [m for m in said if lay.sent[m.start] == sent
                and (m.end <= w.start or m.start >= w.end)]  # fmt: skip
        if here:
            subject = min(here, key=lambda m: (
                int(lay.seg[m.start] != seg),
                w.start - m.end if m.end <= w.start else m.start - w.end,
                int(m.start > w.start),
            ))  # fmt: skip
        else:
            before = [m for m in said if sent - 2 <= lay.sent[m.start] < sent]
            if not before:
                return True
            subject = max(before, key=lambda m: (m.end, m.start))
        if eng.groups.get(subject.fid) == "pain" and subject.present is True:
            return True
        # "Sharp pain every time it clicks, ... it's been getting worse": a sentence of both
        # reads as the pain's, unless the phrase is about the noise ("louder", "more often").
        if not _NOISE.intersection(lay.norms[w.start : w.end]) and any(
            lay.sent[m.start] == sent and m.present is True and eng.groups.get(m.fid) == "pain"
            for m in said
        ):
            return True
    return False


# Vital signs in clinical notes: "BP 85/50", "systolic 80", "GCS 13", "T 38.9", "temp 101.8F".
_BP = re.compile(
    r"\b(?:bp|blood\s+pressure|nibp)\s*(?:of|was|is|:|=)?\s*(?P<sys>\d{2,3})\s*/\s*\d{2,3}\b"
    r"|\b(?P<sys2>\d{2,3})\s*/\s*\d{2,3}\s*mm\s*hg\b"
    r"|\bsystolic\s*(?:bp\s*)?(?:of|was|is|:|=)?\s*(?P<sys3>\d{2,3})\b",
    re.I,
)
_GCS = re.compile(r"\bgcs\s*(?:of|was|is|:|=)?\s*(?P<gcs>\d{1,2})\b", re.I)
_TEMP = re.compile(
    r"\b(?:t|temp|temperature|tympanic)\s*(?:of|was|is|:|=)?\s*(?P<c>3[4-9](?:\.\d)?|4[0-3](?:\.\d)?)"
    r"\s*(?:°\s*c|c\b|degrees)?(?![\d/])"
    r"|\b(?P<f>9[5-9](?:\.\d)?|10[0-7](?:\.\d)?)\s*(?:°\s*f|f\b|degrees\s+f)",
    re.I,
)


def _from_vitals(text: str, lay: _context.Layout, limits: kb.VitalSigns) -> list[Mention]:
    """Hypotension, a reduced GCS and fever from the numbers, by ``limits`` (thresholds.yaml)."""
    out: list[Mention] = []
    starts = lay.idx

    def at(m: re.Match[str], fid: str, present: bool) -> None:
        a, b = _token_at(starts, m.start()), _token_at(starts, m.end() - 1) + 1
        assertion = "affirmed" if present else "negated"
        out.append(Mention(fid, "derived", a, b, assertion, present))

    for m in _BP.finditer(text):
        sys = int(m.group("sys") or m.group("sys2") or m.group("sys3"))
        if 40 <= sys < limits.systolic_below:
            at(m, "unresponsive", True)
    for m in _GCS.finditer(text):
        if 3 <= int(m.group("gcs")) < limits.gcs_below:
            at(m, "unresponsive", True)
    for m in _TEMP.finditer(text):
        c = float(m.group("c")) if m.group("c") else (float(m.group("f")) - 32) * 5 / 9
        at(m, "fever", c >= limits.fever_from_c)
    return out


# Muscle power in notes (MRC grades): "ankle DF 3/5", "EHL 4/5 L", "power 5/5 throughout".
_POWER = re.compile(
    r"\b(?:power|strength|ankle\s+(?:df|pf|dorsiflexion|plantarflexion)|dorsiflexion|"
    r"plantarflexion|df|pf|ehl|fhl|hip\s+(?:flexion|extension|abduction|flex|ext|abd)|"
    r"knee\s+(?:extension|flexion|ext|flex)|quads|quadriceps|hamstrings|eversion|inversion|"
    r"toe\s+extension|great\s+toe|myotomes?|l[2-5]|s1|legs?|lift)\b"
    r"[^.;\n]{0,25}?\b(?P<grade>[0-5])(?:[+-])?\s*/\s*5\b"
    r"(?P<both>\s*(?:bilat\w*|b/l|both\s+(?:sides|legs))\b)?",
    re.I,
)


def _from_power(text: str, lay: _context.Layout, severe_at_most: int) -> list[Mention]:
    """Leg weakness from the weakest MRC grade; severe at or below ``severe_at_most``."""
    grades = [(m, int(m.group("grade"))) for m in _POWER.finditer(text)]
    if not grades:
        return []
    starts = lay.idx

    def span(m: re.Match[str]) -> tuple[int, int]:
        return _token_at(starts, m.start()), _token_at(starts, m.end() - 1) + 1

    weakest, grade = min(grades, key=lambda g: g[1])
    a, b = span(weakest)
    if grade >= 5:
        return [Mention("leg_weakness", "derived", a, b, "negated", False)]
    out = [Mention("leg_weakness", "derived", a, b)]
    if any(m.group("both") for m, g in grades if g < 5):  # "hip flexion 4-/5 bilat"
        out.append(Mention("bilateral_leg_symptoms", "derived", a, b))
    if grade <= severe_at_most:
        out.append(Mention("leg_weakness_severe", "derived", a, b))
    return out


def _pain_like(m: Mention, eng: Engine) -> bool:
    return (
        m.present is True
        and m.fid not in _DURATION_IDS
        and (eng.groups.get(m.fid) == "pain" or m.fid == "pain_below_knee")
    )


_HISTORY_FORM: Final = re.compile(r"\b(?:hx|history|of)\s*$", re.I)


def _from_durations(
    text: str, lay: _context.Layout, found: list[Mention], eng: Engine
) -> list[Mention]:
    # Durations are of pain: none without pain present (said, or entailed by a pain finding),
    # or stiffness, the other complaint of an aching back.
    if not any(
        m.present is True and (m.fid in _COMPLAINTS or "pain" in eng.implies.get(m.fid, ()))
        for m in found
    ):
        return []
    durations = _durations.find(text)
    if not durations:
        return []
    starts = lay.idx
    n = len(lay.texts)
    segs_with = {lay.seg[m.start] for m in found}
    segs_pain = {lay.seg[m.start] for m in found if _pain_like(m, eng)}
    sents_pain = {lay.sent[m.start] for m in found if _pain_like(m, eng)}
    attached: list[tuple[_durations.Duration, int, int, bool]] = []
    for d in durations:
        a, b = _token_at(starts, d.start), _token_at(starts, d.end - 1) + 1
        seg = lay.seg[a]
        rules_out = d.negatable
        if seg in segs_with:
            # A duration is of the finding next to it ("fever since yesterday and back pain":
            # the fever's); a click's duration dates the pain of the sentence ("my back popped 3
            # weeks ago and I've had pain ever since", "back pain with popping for 3 weeks").
            owner = _owner(a, b, [m for m in found if lay.seg[m.start] == seg])
            if _pain_like(owner, eng):
                ok = True
                # "it locks for a minute": an episode of stiffness, not how long it has lasted
                rules_out = rules_out and not (d.hi < 1.0 and owner.fid in _EPISODIC)
            elif eng.groups.get(owner.fid) == "sound" or owner.fid in _EVENTS:
                ok = seg in segs_pain or lay.sent[a] in sents_pain
            else:
                # "2-yr hx bilateral leg heaviness and aching", "2 weeks of fever, back pain and
                # weakness": a history is of the whole complaint it introduces.
                ok = bool(_HISTORY_FORM.search(text[d.start : d.end])) and any(
                    _pain_like(m, eng) and lay.seg[m.start] == seg and m.start >= b for m in found
                )
        else:
            tokens = [j for j in range(n) if lay.seg[j] == seg]
            rest = [j for j in tokens if not a <= j < b and not lay.punct[j]
                    and lay.norms[j] not in ("and", "now", "so", "then", "for")]  # fmt: skip
            # A duration standing alone ("For five months, ...") qualifies its neighbours; one
            # that says only how long "it" has gone on ("It has been like this for a year",
            # "Been a few weeks.", "Three years now.") the pain of the text; not one that says
            # more ("it's got bigger over the last month": the lump's).
            near = {seg + 1, seg - 1}
            alone = not rest and any(
                lay.seg[m.start] in near and lay.sent[m.start] == lay.sent[a]
                for m in found if _pain_like(m, eng)
            )  # fmt: skip
            anaphoric = (
                any(lay.norms[j] in _ANAPHORA for j in tokens) or not segs_with.isdisjoint(near)
            ) and all(lay.norms[j] in _FILLER for j in rest)
            ok = alone or anaphoric
        if ok:
            attached.append((d, a, b, rules_out))
    if not attached:
        return []
    longest = max(attached, key=lambda x: x[0].lo)
    out: list[Mention] = []
    d, a, b, _ = longest
    for t in eng.thresholds.durations:
        if d.lo >= t.days:
            out.append(Mention(t.finding, "derived", a, b))
    if not out and all(x[3] and x[0].hi < 3.0 for x in attached):
        shortest = min(attached, key=lambda x: x[0].hi)
        out.append(
            Mention("pain_over_3_days", "derived", shortest[1], shortest[2], "negated", False)
        )
    return out


def _owner(a: int, b: int, mentions: list[Mention]) -> Mention:
    """The mention a duration at tokens [a, b) belongs to: the nearest one before it ("fever
    since yesterday and back pain"), or after it when it comes first ("Two weeks of pain")."""
    before = [m for m in mentions if m.start < a]
    if before:
        return max(before, key=lambda m: (m.end, m.start))
    return min(mentions, key=lambda m: (m.start, m.end))


_TRUNK: Final = words("ribs rib chest tummy belly abdomen stomach waist back spine middle neck")


def _laterality(lay: _context.Layout, found: list[Mention]) -> Mention | None:
    norms = lay.norms
    n = len(norms)
    plural: list[int] = []  # "legs", "both (of my) feet"; not "between my legs" (the saddle)
    sided: list[tuple[int, int, str]] = []  # "left leg", "right foot", "one side"
    for j, w in enumerate(norms):
        window = norms[j + 1 : j + 4]
        if (
            (
                w in _LEG_PLURAL
                and not (j and "between" in norms[max(0, j - 2) : j])
                # "crawling on my hands and knees": how one moves, not the legs' symptoms
                and not (w == "knees" and "hands" in norms[max(0, j - 2) : j])
            )
            or (
                w == "both"
                and any(x in _LEG_PLURAL or x == "sides" for x in window)
                # "both sides" of the ribs or the back are not the legs
                and (
                    any(x in _LEG_PLURAL for x in window)
                    or not _TRUNK.intersection(norms[max(0, j - 5) : j + 7])
                )
            )
        ):
            plural.append(j)
        elif (
            w in ("left", "right")
            and len(window) >= 2
            and window[0] in _AND
            and (window[1] in ("left", "right") and window[1] != w)
        ):
            plural.append(j)  # "my left and right leg", "SLR +ve L and R"
        elif (
            w in ("left", "right")
            and len(window) >= 3
            and window[0] in _LEG_SINGLE
            and window[1] in _AND
            and window[2] in ("left", "right")
            and window[2] != w
        ):
            plural.append(j)  # "pains in my right leg and left"
        elif w in _SIDES:
            for i, x in enumerate(window[:2]):
                if x in _LEG_SINGLE:
                    sided.append((j, j + i + 2, w))
                    break
    if not plural and not sided:
        return None
    also_segs = {lay.seg[k] for k in range(n) if norms[k] in _ALSO}
    denied = [(m.start, m.end) for m in found if m.present is False]
    plural = [j for j in plural if not any(a <= j < b for a, b in denied)]
    sides: dict[str, Mention] = {}
    seen: set[tuple[bool, int]] = set()
    for m in found:
        if m.present is not True:
            continue
        if m.fid in LEG_FINDINGS:
            unit, key = lay.seg, lay.seg[m.start]
        elif m.fid == "pain":
            unit, key = lay.clause, lay.clause[m.start]  # "hurts when I lift my legs" is not
        else:
            continue
        if (m.fid == "pain", key) in seen:
            continue
        seen.add((m.fid == "pain", key))
        sent = lay.sent[m.start]

        def near(j: int, unit: list[int] = unit, key: int = key, sent: int = sent) -> bool:
            # its own stretch, or "... and now my right leg too" later in the sentence
            return unit[j] == key or (lay.sent[j] == sent and lay.seg[j] in also_segs)

        for j in plural:
            if (
                m.fid == "pain"
                and norms[j] == "feet"
                and _ON.intersection(norms[max(0, j - 2) : j])
            ):
                continue  # "my back aches after long shifts on my feet": standing
            if near(j):
                return Mention("bilateral_leg_symptoms", "derived", j, j + 1)
        for j, k, w in sided:
            if m.fid == "pain" and norms[k - 1] == "side":
                continue  # "an ache low down on the right side" is the back's side
            if near(j) and w not in sides:
                sides[w] = Mention("bilateral_leg_symptoms", "derived", j, k, "negated", False)
    if "left" in sides and "right" in sides:
        m = sides["left"]
        return Mention(m.fid, "derived", m.start, m.end)
    return next(iter(sides.values()), None)


def _implied(
    have_true: set[str],
    best: dict[str, Mention],
    derived: list[Mention],
    eng: Engine,
    worse_pain: bool = True,
) -> list[Mention]:
    source: dict[str, Mention] = {d.fid: d for d in derived if d.present is True}
    source.update({fid: m for fid, m in best.items() if m.present is True})
    out: list[Mention] = []
    # Popped last first: an implied finding takes the span of a phrase the text said, where
    # there is one, rather than that of another derived finding.
    stack = [*(f for f in source if source[f].kind == "derived"),
             *(f for f in source if source[f].kind != "derived")]  # fmt: skip
    while stack:
        fid = stack.pop()
        src = source[fid]
        implied = list(eng.implies.get(fid, ()))
        if (
            fid == "pain_worsening"
            and "pain" in have_true
            and (worse_pain or src.kind == "derived")
        ):
            implied.append("pain_not_improving")  # a pain getting worse is not getting better
        for target in implied:
            if target in have_true:
                continue
            lo, hi = src.shown
            m = Mention(target, "derived", src.start, src.end, lo=lo, hi=hi)
            have_true.add(target)
            source[target] = m
            out.append(m)
            stack.append(target)
            if target == "pain" and "pain_worsening" in source:
                stack.append("pain_worsening")
    return out
