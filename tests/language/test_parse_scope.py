"""Scopes: lists, terminators, clauses, vague phrases, cued phrases and the traps of the issue."""

from __future__ import annotations

import pytest

from crepitus.language import parse


def read(text: str) -> dict[str, bool | None]:
    return {m["id"]: m["present"] for m in parse(text)}


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("denies fever, weight loss or bladder changes", ["fever", "weight_loss",
                                                          "bladder_dysfunction"]),
        ("no numbness, tingling or weakness", ["leg_numbness", "leg_tingling", "leg_weakness"]),
        ("No numbness, no weakness, no fever, no weight loss.", ["leg_numbness", "leg_weakness",
                                                                "fever", "weight_loss"]),
        ("Neither fever nor chills nor weight loss.", ["fever", "weight_loss"]),
        ("Patient denies: saddle anaesthesia, urinary retention and faecal incontinence.",
         ["saddle_numbness", "bladder_dysfunction", "bowel_dysfunction"]),
        ("No bladder or bowel issues.", ["bladder_dysfunction", "bowel_dysfunction"]),
    ],
)  # fmt: skip
def test_lists_share_one_negation(text: str, absent: list[str]) -> None:
    got = read(text)
    for fid in absent:
        assert got.get(fid) is False, (fid, got)


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("No fever but I've lost weight.", "fever", "weight_loss"),
        ("No pain, however my legs tingle.", "pain", "leg_tingling"),
        ("No numbness except in my toes.", None, "leg_numbness"),
        ("No pain except when I bend forward.", None, "pain"),
        ("It doesn't hurt at all and I have pins and needles in my foot.", "pain", "leg_tingling"),
        ("I don't smoke, and my back clicks when I twist.", "smoker", "back_sound"),
        ("No pain when it clicks.", "pain", "back_sound"),
        ("Denies fever, h/o breast ca.", "fever", "cancer_history"),
        ("No fever; numb down there.", "fever", "saddle_numbness"),
    ],
)
def test_terminators_and_clauses_end_a_negation(
    text: str, absent: str | None, present: str
) -> None:
    got = read(text)
    if absent is not None:
        assert got.get(absent) is False, got
    assert got.get(present) is True, got


def test_pseudo_triggers() -> None:
    got = read("My back clicks a lot during the day, not only at the gym — sitting, standing.")
    assert got.get("sound_frequent_daily") is True
    assert "sound_with_exercise" not in got
    assert read("No doubt it hurts.").get("pain") is True
    assert read("No matter what I do it hurts.").get("pain") is True
    assert read("There has been no change in the pain.").get("pain") is True


def test_vague_phrases_count_only_when_denied() -> None:
    got = read("No pain, no leg problems.")
    assert got["pain"] is False
    for fid in ("leg_numbness", "leg_tingling", "leg_weakness"):
        assert got[fid] is False
    got = read("I have leg problems.")
    for fid in ("leg_numbness", "leg_tingling", "leg_weakness"):
        assert fid not in got
    assert (
        read("Tingling down my right leg, but nothing below the knee.")["pain_below_knee"] is False
    )
    assert "pain_below_knee" not in read("My back hurts below the knee cap area? no")


def test_trap_phrasings_of_the_issue() -> None:
    assert read("It doesn't hurt at all")["pain"] is False
    assert read("My leg isn't weak.")["leg_weakness"] is False
    assert read("I can move my legs fine.")["leg_weakness"] is False
    assert read("It is painless.")["pain"] is False
    got = read("Every time my back clicks I get a sharp stinging pain.")
    assert got["pain_with_sound"] is True and got["pain_sharp"] is True
    assert read("It wakes me in the early hours and it hurts.")["pain_night"] is True
    assert read("I nearly passed out.")["fainting"] is True


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("My lower back clicks when I do Russian twists.", "sound_twisting"),
        ("It cracks when I twist, no pain.", "sound_twisting"),
        ("Deadlifts make my lower back crack.", "sound_bending"),
        ("Overhead presses make my back click.", "sound_bending"),
        ("My back pops when I squat low.", "sound_with_exercise"),
        ("Lower back makes a loud pop when I do flutter kicks.", "sound_leg_raise"),
        ("I hear a click in my low back when I walk.", "sound_walking"),
        ("My back cracks when I get out of bed.", "sound_after_sitting"),
        ("When I get up after sitting my back cracks and then feels looser.",
         "relief_after_crack"),
        ("A snapping at the front of my hip when I lift my leg.", "sound_hip_area"),
        ("I lifted a box, felt a crack and now my back hurts.", "pain_after_sudden_move"),
        ("It hurts when I cough or sneeze.", "pain_straining"),
        ("Shooting pain down my leg past the knee.", "pain_below_knee"),
        ("My lower back is stiff every morning for an hour.", "morning_stiffness"),
        ("My hamstrings are super tight.", "tight_hips_hamstrings"),
        ("I crack my back about ten times a day.", "self_cracking_frequent"),
    ],
)  # fmt: skip
def test_cued_phrases_in_context(text: str, fid: str) -> None:
    assert read(text).get(fid) is True


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("It hurts when I twist.", "sound_twisting"),  # the pain, not a sound, goes with twisting
        ("I twist a lot at work.", "sound_twisting"),
        ("My back hurts when I lift.", "pain_after_sudden_move"),  # weight-bearing, not onset
        ("I slipped, heard a crack and now it hurts.", "pain_after_sudden_move"),  # a fall
        ("My foot hurts.", "pain_below_knee"),  # no radiation
        ("I sit all day.", "sound_frequent_daily"),
        ("The area between my legs feels numb.", "leg_numbness"),  # that is the saddle
        ("I have a slipped disc.", "trauma_minor"),
        ("I fell off a ladder.", "trauma_minor"),  # a fall from height is major
        ("My mum had cancer.", "cancer_history"),
        ("Pain in my back with popping.", "pain_with_sound"),
        ("I have a steroid injection next week.", "steroid_use"),
        ("I'm trying to lose weight on a diet.", "weight_loss"),
    ],
)
def test_phrases_out_of_context_do_not_count(text: str, fid: str) -> None:
    assert read(text).get(fid) is not True


def test_cued_activity_follows_its_anchor() -> None:
    got = read("My back doesn't click when I twist.")
    assert got["back_sound"] is False
    assert got.get("sound_twisting") is not True  # denied with its anchor, or not read at all
    got = read("My back clicks when I twist but not when I bend.")
    assert got["sound_twisting"] is True
    assert got["sound_bending"] is False


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("I have numbess in my leg.", "leg_numbness"),
        ("tinglling in my foot", "leg_tingling"),
        ("My back is crakcing.", "back_sound"),
        ("stifness every morning", "stiffness"),
        ("osteoporisis", "osteoporosis"),
        ("lower back poping when I do sqats", "sound_with_exercise"),
        ("sciatia down my leg", "pain_below_knee"),
    ],
)
def test_misspellings(text: str, fid: str) -> None:
    assert read(text).get(fid) is True


@pytest.mark.parametrize(
    "word", ["bowls", "faces", "heron", "sipped", "sitting", "talking", "mourning", "stared",
             "selling", "backed", "propped", "spitting", "tipped", "weeping", "peeling"]
)  # fmt: skip
def test_real_words_are_not_corrected(word: str) -> None:
    from crepitus.language._engine import engine

    assert engine().speller.correct(word) is None


def test_abbreviations_keep_their_capitals() -> None:
    assert read("FHx: AS")["spondyloarthritis_features"] is True
    assert "spondyloarthritis_features" not in read("as it is, my back clicks")
    assert read("58F c/o LBP")["pain"] is True
    assert read("lbp x 3/7")["pain"] is True
