"""ConText assertions: each kind, in the first person and in clinical-note style."""

from __future__ import annotations

from typing import Any

import pytest

from crepitus.language import parse


def read(text: str) -> dict[str, tuple[bool | None, str]]:
    return {m["id"]: (m["present"], m["assertion"]) for m in parse(text)}


def has(text: str, fid: str, present: bool | None, assertion: str | None = None) -> None:
    got = read(text)
    assert fid in got, f"{fid} not read from {text!r}: {got}"
    assert got[fid][0] is present, f"{fid} in {text!r}: {got[fid]}"
    if assertion is not None:
        assert got[fid][1] == assertion, f"{fid} in {text!r}: {got[fid]}"


def lacks(text: str, fid: str) -> None:
    got = read(text)
    assert fid not in got, f"{fid} should not be read from {text!r}: {got[fid]}"


AFFIRMED = [
    ("My lower back clicks when I twist.", "back_sound"),
    ("I ended up paralysed from the waist down for a day.", "leg_weakness_severe"),
    ("My back goes pop when I bend over.", "back_sound"),
    ("I can't pee properly since yesterday.", "bladder_dysfunction"),
    ("I get pins and needles in my foot.", "leg_tingling"),
    ("It's numb down there.", "saddle_numbness"),
    ("I've been leaking urine.", "bladder_dysfunction"),
    ("I wet myself this morning.", "bladder_dysfunction"),
    ("It hurts.", "pain"),
    ("My back aches.", "pain"),
    ("My lower back is sore.", "pain"),
    ("Painful lower back.", "pain"),
    ("I inject heroin.", "iv_drug_use"),
    ("I'm on chemotherapy.", "immunosuppressed"),
    ("I'm on chemotherapy.", "cancer_history"),
    ("I nearly passed out.", "fainting"),
    ("It wakes me in the early hours.", "pain_night"),
    # clinical-note style
    ("c/o LBP", "pain"),
    ("Pt has urinary retention.", "bladder_dysfunction"),
    ("Perineal anaesthesia on exam.", "saddle_numbness"),
    ("Saddle anesthesia reported.", "saddle_numbness"),
    ("L foot drop noted.", "leg_weakness_severe"),
    ("Lumbar crepitus on flexion.", "back_sound"),
    ("Radicular pain L leg.", "pain_below_knee"),
]


@pytest.mark.parametrize(("text", "fid"), AFFIRMED)
def test_affirmed(text: str, fid: str) -> None:
    has(text, fid, True, "affirmed")


NEGATED = [
    ("It doesn't hurt at all.", "pain"),
    ("It is painless.", "pain"),
    ("No pain.", "pain"),
    ("My leg isn't weak.", "leg_weakness"),
    ("I can move my legs fine.", "leg_weakness"),
    ("I have no numbness or tingling.", "leg_numbness"),
    ("I have no numbness or tingling.", "leg_tingling"),
    ("Never smoked.", "smoker"),
    ("I'm a non-smoker.", "smoker"),
    ("I haven't had a fever.", "fever"),
    ("The tingling has gone.", "leg_tingling"),
    ("Bladder is fine.", "bladder_dysfunction"),
    # clinical-note style
    ("Denies fever.", "fever"),
    ("No saddle anaesthesia.", "saddle_numbness"),
    ("Pt denies urinary retention or faecal incontinence.", "bladder_dysfunction"),
    ("Pt denies urinary retention or faecal incontinence.", "bowel_dysfunction"),
    ("Power 5/5 throughout.", "leg_weakness"),
    ("No hx of ca.", "cancer_history"),
    ("Afebrile.", "fever"),
]


@pytest.mark.parametrize(("text", "fid"), NEGATED)
def test_negated(text: str, fid: str) -> None:
    has(text, fid, False, "negated")


def test_double_negation_next_to_an_absent_phrase_affirms() -> None:
    has("The clicking isn't painless.", "pain", True)


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("I had back pain last year but it's fine now.", "pain"),
        ("I had sciatica years ago.", "pain_below_knee"),
        ("I used to get pins and needles in my leg.", "leg_tingling"),
        ("I've had numbness before.", "leg_numbness"),
        ("I had a fever when I was younger.", "fever"),
        ("Hx of sciatica.", "pain_below_knee"),
        ("PMH: lumbar radiculopathy.", "pain_below_knee"),
        ("Previous episode of foot drop.", "leg_weakness_severe"),
    ],
)
def test_historical(text: str, fid: str) -> None:
    has(text, fid, None, "historical")


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("I've had back pain for the past week.", "pain"),
        ("My back has hurt since Monday.", "pain"),
        ("Lower back pain for years.", "pain"),
        ("It started hurting years ago and still does.", "pain"),
        ("I'm used to the clicking.", "back_sound"),
        ("Pain in the past few weeks.", "pain"),
        ("Aching for the last year.", "pain"),
    ],
)
def test_current_duration_is_not_history(text: str, fid: str) -> None:
    has(text, fid, True, "affirmed")


@pytest.mark.parametrize(
    ("text", "fid", "present"),
    [
        # the history is exactly what these findings mean
        ("I had prostate cancer a few years back.", "cancer_history", True),
        ("h/o breast ca", "cancer_history", True),
        ("I used to smoke.", "smoker", True),
        ("I smoked for years.", "smoker", True),
        ("I've been on prednisone for years.", "steroid_use", True),
        ("Hx of osteoporosis.", "osteoporosis", True),
        ("I had a kidney transplant five years ago.", "immunosuppressed", True),
        # trauma must be recent
        ("I was in a car accident ten years ago.", "trauma_major", None),
        ("I was rear-ended an hour ago.", "trauma_major", True),
        ("I slipped on the stairs yesterday.", "trauma_minor", True),
    ],
)
def test_findings_about_the_past(text: str, fid: str, present: bool | None) -> None:
    has(text, fid, present)


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("If it starts hurting I'll see a doctor.", "pain"),
        ("I do core work in case I get sciatica.", "pain_below_knee"),
        ("I'm worried it could be cancer.", "cancer_history"),
        ("Return if bladder dysfunction or saddle anaesthesia develop.", "saddle_numbness"),
        ("Advised to watch for leg weakness.", "leg_weakness"),
        ("Exercises to prevent back pain.", "pain"),
        ("A video said you can end up paralysed from cracking it.", "leg_weakness_severe"),
        ("Apparently cracking can cause numbness in your legs.", "leg_numbness"),
    ],
)
def test_hypothetical(text: str, fid: str) -> None:
    has(text, fid, None, "hypothetical")


def test_habitual_if_is_not_hypothetical() -> None:
    # "if" of a habit: only the if-clause is conditional, the click is real
    got = read("If I bend over my back clicks.")
    assert got["back_sound"] == (True, "affirmed")
    assert got["sound_bending"][0] is True


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("My mother had cancer.", "cancer_history"),
        ("My mum had breast cancer.", "cancer_history"),
        ("My husband has sciatica.", "pain_below_knee"),
        ("My dad has bad back pain.", "pain"),
        ("FHx: breast ca (mother).", "cancer_history"),
        ("Cancer runs in my family.", "cancer_history"),
    ],
)
def test_other_person(text: str, fid: str) -> None:
    has(text, fid, None, "other_person")


@pytest.mark.parametrize(
    "text",
    [
        "My father has ankylosing spondylitis.",
        "Family history of ankylosing spondylitis.",
        "FHx: AS.",
        "My brother has AS.",
    ],
)
def test_family_history_of_ankylosing_spondylitis_counts(text: str) -> None:
    has(text, "spondyloarthritis_features", True, "other_person")


def test_other_person_scope_stops_at_the_writer() -> None:
    got = read("My girlfriend worries that my back cracking means arthritis.")
    assert got["back_sound"] == (True, "affirmed")
    got = read("I'm 68 and lately my wife says I walk stooped over and shuffle.")
    assert got["gait_change"] == (True, "affirmed")
    got = read("My mum had breast cancer and I had ovarian cancer.")
    assert got["cancer_history"][0] is True


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("Maybe a little numbness in my foot.", "leg_numbness"),
        ("I'm not sure if I have a fever.", "fever"),
        ("My leg might be weak.", "leg_weakness"),
        ("Possibly some tingling in my toes.", "leg_tingling"),
        ("I don't think I've lost weight.", "weight_loss"),
        ("?sciatica", "pain_below_knee"),
        ("Query cauda equina, ?saddle anaesthesia.", "saddle_numbness"),
    ],
)
def test_uncertain(text: str, fid: str) -> None:
    has(text, fid, None, "uncertain")


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("I think my hip flexors are really tight.", "tight_hips_hamstrings"),
        ("I think my back rounds at the bottom.", "form_breakdown"),
        ("I think I've lost some weight.", "weight_loss"),
        ("I'm not sure why my back clicks.", "back_sound"),
        ("Is it normal that my back cracks?", "back_sound"),
    ],
)
def test_weak_hedges_and_questions_affirm(text: str, fid: str) -> None:
    has(text, fid, True, "affirmed")


def test_the_uncertain_reading_is_reported_without_counting() -> None:
    (item,) = [m for m in parse("Maybe some numbness.") if m["id"] == "leg_numbness"]
    assert item["present"] is None
    assert item["assertion"] == "uncertain"


def test_clinical_note() -> None:
    text = "58F c/o LBP x 2/52, denies fever, weight loss or bladder changes, h/o breast ca"
    got = read(text)
    assert got["pain"] == (True, "affirmed")
    assert got["pain_over_3_days"][0] is True
    assert got["fever"] == (False, "negated")
    assert got["weight_loss"] == (False, "negated")
    assert got["bladder_dysfunction"] == (False, "negated")
    assert got["cancer_history"] == (True, "historical")


def test_clinical_note_with_normal_findings() -> None:
    got = read("45 yo M, chronic LBP, ?sciatica, no saddle anaesthesia, bladder and bowels normal.")
    assert got["pain"][0] is True
    assert got["pain_over_3_months"][0] is True
    assert got["pain_below_knee"] == (None, "uncertain")
    assert got["saddle_numbness"][0] is False
    assert got["bladder_dysfunction"][0] is False
    assert got["bowel_dysfunction"][0] is False


def test_item_shape() -> None:
    text = "My lower back clicks but it doesn't hurt."
    items: list[dict[str, Any]] = parse(text)
    assert [m["id"] for m in items] == ["back_sound", "pain"]
    for m in items:
        assert set(m) == {"id", "present", "assertion", "span", "text", "origin"}
        assert m["origin"] == "text"
        start, end = m["span"]
        assert text[start:end] == m["text"]
    assert items[1]["text"] == "doesn't hurt"  # a denial is shown with its cue


def test_affirmed_beats_negated_for_one_finding() -> None:
    got = read("No pain at rest, but a sharp pain when I bend.")
    assert got["pain"][0] is True
    assert got["pain_sharp"][0] is True


def test_uncertain_beats_negated_for_one_finding() -> None:
    # doubt reopens the question, so the interview asks instead of taking "no"
    assert read("No numbness. Well, maybe a little numbness in my toes.")["leg_numbness"][0] is None


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        # Said of the noise, or a comparison, or where something is: not the finding.
        ("It sounds horrendous but there's no pain at all.", "pain_severe"),
        ("His back goes off like a knuckle crack most nights.", "other_body_part"),
        ("It clicks loud enough to wake me, and it doesn't hurt.", "pain_night"),
        ("It hurts just to the left of my spine, above my belt.", "band_like_pain"),
    ],
)
def test_the_noise_a_comparison_or_a_place_is_not_the_finding(text: str, fid: str) -> None:
    lacks(text, fid)


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("The pain is horrendous.", "pain_severe"),
        ("Horrendous back pain since Monday.", "pain_severe"),
        ("When it clicks it's a proper sharp jab.", "pain_sharp"),
        ("When it clicks it's a proper sharp jab.", "pain_with_sound"),
        ("My knuckles crack and my back pain wakes me at night.", "pain_night"),
        ("Pain like a tight band round my chest.", "band_like_pain"),
    ],
)
def test_the_same_words_said_of_the_pain_count(text: str, fid: str) -> None:
    has(text, fid, True)


def test_cue_words_of_a_red_flag_reach_past_a_dash_within_the_sentence() -> None:
    has("I can't tell if my wee is normal - it seems slow to start.", "bladder_dysfunction", True)
    lacks("My wee is fine. The car was slow to start this morning.", "bladder_dysfunction")


def test_using_said_of_injecting_is_injecting_drugs() -> None:
    has("Been using (injecting) on and off for a couple of years.", "iv_drug_use", True)
    lacks("I've been injecting insulin for years.", "iv_drug_use")


def test_a_denial_reaches_a_second_verb_after_or() -> None:
    # "or" joining two verbs of one denial: neither happened.
    text = "My back has never given way or felt unstable."
    has(text, "giving_way", False)
    assert read(text).get("giving_way", (None, ""))[0] is False


def test_crawling_on_hands_and_knees_is_not_both_legs() -> None:
    lacks(
        "I've been crawling round the flat on my hands and knees, it's so stiff.",
        "bilateral_leg_symptoms",
    )
    has("Both my knees and legs have gone numb.", "bilateral_leg_symptoms", True)


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("The only injury I've had was coming off a horse back in 2015.", "trauma_major"),
        ("Back in 2019 I had a bad bout of sciatica.", "pain_below_knee"),
        ("I had a microdiscectomy in 2015 and have been fine since.", "recent_spinal_procedure"),
    ],
)
def test_a_past_year_is_history(text: str, fid: str) -> None:
    has(text, fid, None, "historical")


def test_a_past_year_that_dates_an_onset_is_not_history() -> None:
    has("My back pain started in 2019 and is constant.", "pain", True, "affirmed")
    has("I was diagnosed with breast cancer in 2015.", "cancer_history", True)


def test_not_gonna_lie_is_no_denial() -> None:
    has("Not gonna lie, I inject, been using again.", "iv_drug_use", True)


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("It stings like mad when I wee and the wee looks a bit pink.", "urinary_symptoms"),
        ("Is it normal for it to feel a bit odd when I wipe?", "saddle_numbness"),
    ],
)
def test_words_between_still_read(text: str, fid: str) -> None:
    assert read(text).get(fid, (None, ""))[0] is True, read(text)


def test_like_a_car_crash_is_a_comparison() -> None:
    lacks("It's like a car crash going off in my spine when I twist.", "trauma_major")
    has("I was in a car crash on Monday.", "trauma_major", True)


def test_a_future_someone_foretold_is_hypothetical() -> None:
    has("My colleague told me I will get paralysis in future.", "leg_weakness_severe", None)


def test_no_pmh_denies_what_follows() -> None:
    has("No fever, no wt loss, no PMH malignancy.", "cancer_history", False)


def test_night_shifts_are_no_night_pain() -> None:
    lacks("I do night shifts and by 4am my back feels tight, never any pain.", "pain_night")
    has("My back pain wakes me at 4am.", "pain_night", True)


def test_loose_clothes_and_kilos_less_are_weight_loss() -> None:
    text = "My pants have become loose, the weight machine shows 7 kg less."
    has(text, "weight_loss", True)
    lacks(text, "sound_with_exercise")


def test_a_doubt_after_a_comma_hedges_what_comes_after_it() -> None:
    has("Pain is the same, not better at all, maybe a little worse.", "pain_not_improving", True)
    has("My feet are numb, maybe.", "leg_numbness", None)


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("She has had no falls or bumps.", "swelling"),
        ("I haven't fallen or knocked it.", "trauma_minor"),
    ],
)
def test_a_phrase_of_absence_denies_what_follows_or(text: str, fid: str) -> None:
    has(text, fid, False)


def test_a_foot_that_falls_is_no_fall() -> None:
    text = "Since two days my right foot is falling, I cannot lift the front of the foot."
    lacks(text, "trauma_major")
    lacks(text, "trauma_minor")
