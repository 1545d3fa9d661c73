"""The reader's general mechanisms, each in both directions: inflection, whose statement it is,
clinical-note grammar, cue scope by clause, falls by mechanism and idioms."""

from __future__ import annotations

import pytest

from crepitus.language import corrections, parse


def read(text: str, subject: str | None = None) -> dict[str, bool | None]:
    return {m["id"]: m["present"] for m in parse(text, subject)}


@pytest.mark.parametrize(
    ("text", "fid", "want"),
    [
        # inflection and tense from the lookup table
        ("My foot numbed yesterday.", "leg_numbness", True),
        ("She keeps lossing weight.", "weight_loss", True),
        (
            "When I get up after sitting my back cracks and then feels looser.",
            "relief_after_crack",
            True,
        ),
        ("My back hurts when I lift.", "pain_after_sudden_move", None),
        # whose statement it is
        (
            "Writing for my husband. Since this morning he can't feel when he needs to pee.",
            "bladder_dysfunction",
            True,
        ),
        ("My wife can't feel when she needs to pee. My back clicks.", "bladder_dysfunction", None),
        (
            "my son hopped on my lap, a loud pop, then a sharp pain shot up my spine",
            "pain_sharp",
            True,
        ),
        (
            "my son hopped on my lap, a loud pop, then a sharp pain shot up my spine",
            "iv_drug_use",
            None,
        ),
        # clinical notes
        ("6 week history of worsening low back pain.", "pain_over_6_weeks", True),
        ("h/o breast ca 2015, new LBP.", "cancer_history", True),
        ("L ankle DF 3/5, EHL 4/5.", "leg_weakness_severe", True),
        ("Power 5/5 throughout.", "leg_weakness", False),
        ("BP 84/50, HR 118.", "unresponsive", True),
        ("BP 128/80, HR 70.", "unresponsive", None),
        ("T 38.9, LBP 3/7.", "fever", True),
        ("Temp 36.8, LBP.", "fever", False),
        ("Numbness bilat. legs since Monday.", "bilateral_leg_symptoms", True),
        ("Sent to ED for MRI.", "sexual_dysfunction", None),
        ("2 yr hx LBP, worse on standing.", "pain_over_3_months", True),
        ("2yr hx of LBP.", "pain", True),
        ("3 mth history of back pain.", "pain_over_3_months", True),
        ("hip flexion 4-/5 bilat, knee ext 4/5 bilat", "bilateral_leg_symptoms", True),
        ("knee ext 4/5 on the left", "leg_weakness", True),
        ("knee ext 4/5 on the left", "bilateral_leg_symptoms", None),
        ("can't lift either leg properly (approx 3/5 bilat)", "leg_weakness_severe", True),
        ("sensation reduced L 1st web space", "leg_numbness", True),
        ("AF (declined anticoagulation).", "anticoagulant_use", False),
        ("Waterworks and bowels normal.", "bladder_dysfunction", False),
        ("i can't wake him up properly", "unresponsive", True),
        ("i can't wake him up properly", "pain_night", None),
        ("he doesn't know where he is", "unresponsive", True),
        ("It wakes me up at night.", "pain_night", True),
        ("34 wks pregnant and getting tightenings across my bump", "pregnancy_warning", True),
        ("34 wks pregnant and getting tightenings across my bump", "swelling", None),
        ("20 weeks pregnant, no bleeding", "pregnancy_warning", False),
        ("motorcyclist vs car approx 40mph, thrown ~5m", "trauma_major", True),
        ("absent sensation below L1 bilat", "leg_numbness", True),
        ("he slumped off the chair onto the floor", "fainting", True),
        ("it felt like something was tearing inside him", "pain_sudden_severe", True),
        (
            "the ache wraps round under my ribs on both sides like a belt",
            "bilateral_leg_symptoms",
            None,
        ),
        ("my back hurts on both sides", "bilateral_leg_symptoms", None),
        ("sciatica on both sides", "bilateral_leg_symptoms", True),
        (
            "the ache, and I'm not sure if it's even related, wraps round like a belt",
            "band_like_pain",
            True,
        ),
        ("I felt sudden and excruciating pain in my back.", "pain_sudden_severe", True),
        ("The pain is severe. It came on slowly, not suddenly.", "pain_sudden_severe", None),
        ("It suddenly hurt really badly when I lifted the box.", "pain_sudden_severe", None),
        ("I couldn't walk or feel my toes.", "leg_numbness", True),
        ("I still was not able to draw breath.", "breathless", True),
        ("She could no longer stand upright.", "gait_change", True),
        ("presents with 2 weeks of fever, back pain and weakness", "pain_over_3_days", True),
        ("Waterworks and legs are fine.", "bladder_dysfunction", False),
        ("My leg is numb and my bladder is fine.", "leg_numbness", True),
        ("numb bum and bowels normal", "saddle_numbness", True),
        ("a lump in my tummy that throbs", "pulsatile_mass", True),
        ("he's struggling to get his breath", "breathless", True),
        (
            "when I wipe it feels like I'm wiping someone elses bum, sort of numb",
            "saddle_numbness",
            True,
        ),
        ("On apixaban for AF.", "anticoagulant_use", True),
        # cue scope by clause
        ("even when I'm not, weird numb feeling in my bum", "saddle_numbness", True),
        ("No saddle change and has to rush to pass urine.", "bladder_dysfunction", True),
        ("No saddle change and has to rush to pass urine.", "saddle_numbness", False),
        (
            "if I had numbness in my legs or couldn't control my bladder I'd go",
            "bladder_dysfunction",
            None,
        ),
        ("If I bend over my back clicks.", "back_sound", True),
        ("no fever, weight loss or bladder changes", "bladder_dysfunction", False),
        ("pains in my right leg and left", "bilateral_leg_symptoms", True),
        ("pain in my right leg only", "bilateral_leg_symptoms", False),
        # falls by their mechanism, and their time
        (
            "Slipped at the top of the stairs and bumped down the whole flight.",
            "trauma_major",
            True,
        ),
        ("fell off a ladder five years ago, fine since", "trauma_major", None),
        ("Got t-boned at a junction this morning.", "trauma_major", True),
        # idioms are not symptoms
        ("The noise is killing me but zero pain.", "pain", False),
        ("I popped ibuprofen and it helped.", "back_sound", None),
    ],
)
def test_mechanism(text: str, fid: str, want: bool | None) -> None:
    assert read(text).get(fid) is want


def test_spelling_slips_are_read_and_reported_but_never_cue_words_or_numbers() -> None:
    text = "numbess in my leg and stifness, not 12345 times, no tingleing"
    fixed = {c["from"]: c["to"] for c in corrections(text)}
    assert fixed.get("numbess") == "numbness" and fixed.get("stifness") == "stiffness"
    assert "not" not in fixed and "no" not in fixed and "12345" not in fixed
    for c in corrections(text):
        start, end = c["span"]
        assert text[start:end] == c["from"]
    assert read("numbess in my leg").get("leg_numbness") is True


@pytest.mark.parametrize(
    ("text", "fids"),
    [
        ("On tacrolimus since the transplant.", {"immunosuppressed"}),
        ("DH: capecitabine.", {"cancer_history", "immunosuppressed"}),
        ("Takes enzalutamide.", {"cancer_history"}),
        ("On zoledronic acid yearly.", {"osteoporosis"}),
        ("DH: apixaban 5mg bd", {"anticoagulant_use"}),
    ],
)
def test_medicines_by_name_are_read_as_their_class(text: str, fids: set[str]) -> None:
    got = read(text)
    assert all(got.get(f) is True for f in fids), got


def test_someone_elses_medicine_is_not_the_persons() -> None:
    assert read("My mum takes warfarin.").get("anticoagulant_use") is None


def test_every_drug_class_names_known_findings() -> None:
    from crepitus import kb

    knowledge = kb.load()
    for dc in knowledge.drugs:
        assert dc.drugs and set(dc.findings) <= set(knowledge.findings)


@pytest.mark.parametrize(
    ("text", "fid", "assertion"),
    [
        ("I'm not sure it feels the same when I wipe.", "saddle_numbness", "uncertain"),
        ("It feels the same when I wipe.", "saddle_numbness", None),
        ("Not sure my back feels the same.", "saddle_numbness", None),
        ("I'm not sure if my wee is slower to get going?", "bladder_dysfunction", "uncertain"),
        ("My back is slow to get going in the morning.", "bladder_dysfunction", None),
    ],
)
def test_doubt_words_mean_not_sure_only_in_doubt(
    text: str, fid: str, assertion: str | None
) -> None:
    got = {m["id"]: m["assertion"] for m in parse(text)}
    assert got.get(fid) == assertion, got
