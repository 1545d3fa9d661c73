"""The terminal interview, driven for real in a pseudo-terminal with pexpect.

Deterministic by construction: every step waits for a prompt the program printed, never for a
time to pass; answers are chosen from what the prompt says, not from its position, so the
tests do not depend on the order the core asks in. Output is not wrapped (a wide console), so
the words of a question are on one line. A Ctrl-C sent as a prompt appears is never lost (the
interview watches a wake-up pipe while it waits for a line), so no retry is needed either.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pytest

# TERM=dumb alone makes rich use 80 columns; with LINES it takes COLUMNS as the width.
ENV = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "400", "LINES": "50"}
YN = r"\[y/n/\?\] "
CHECK = r"\[Enter = (?:yes|no|not sure), or y/n/\?\] "
AGE = r"rather not say\): "
SUBJECT = r"\[me/other\] "
TEXT = r"\r\n> "
END = r"Knowledge base \S+"


class Terminal:
    """One `crepitus interview` in a pseudo-terminal."""

    def __init__(self, *args: str) -> None:
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "crepitus", "interview", *args],
            env=ENV,
            encoding="utf-8",
            timeout=60,
        )
        self.seen: list[str] = []  # every prompt's line, in order

    def expect(self, pattern: str) -> str:
        self.child.expect(pattern)
        return str(self.child.before)

    def send(self, line: str) -> None:
        self.child.sendline(line)

    def start(self, subject: str, text: str) -> None:
        self.expect(SUBJECT)
        self.send(subject)
        self.expect(TEXT)
        self.send(text)

    def prompt(self) -> tuple[str, str]:
        """Wait for the next prompt: ("yn" | "age" | "end", what was shown since the last).

        The words asked about are on the prompt's line (an item) or the line above it (a
        single question), so they are the last line of what was shown."""
        i = self.child.expect([YN, AGE, END, CHECK])
        shown = str(self.child.before)
        kind = ("yn", "age", "end", "check")[i]
        if kind != "end":
            lines = [x.strip() for x in shown.splitlines() if x.strip()]
            self.seen.append(lines[-1] if lines else "")
        return kind, shown

    def drive(self, choose: Callable[[str, str], str], limit: int = 120) -> None:
        """Answer every prompt with choose(kind, shown) until the report ends."""
        for _ in range(limit):
            kind, words = self.prompt()
            if kind == "end":
                return
            # The check of what was read: keep the reading (Enter), as a person who agrees.
            self.send("" if kind == "check" else choose(kind, words))
        raise AssertionError("the interview did not end")

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.child.close()
        status = self.child.exitstatus
        assert isinstance(status, int)
        return status


def no_to_all(kind: str, words: str) -> str:
    return "" if kind == "age" else "n"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_the_check_of_what_was_read_keeps_or_corrects_each_reading(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    t = Terminal("--transcript", str(out))
    t.start("me", "My lower back clicks when I twist")
    t.expect("Did we understand you correctly")
    corrected = None
    for _ in range(10):
        kind, words = t.prompt()
        if kind != "check":
            break
        if "You wrote “clicks when I twist”" in words:
            assert "[Enter = yes" in t.child.after
            t.send("why")
            t.expect("We ask so that")
            t.expect(CHECK)  # asked again after the explanation
            t.send("n")  # corrected: it is not on twisting
            corrected = "sound_twisting"
        else:
            t.send("")  # kept as read
    assert corrected == "sound_twisting"
    t.send(no_to_all(kind, words))
    t.drive(no_to_all)
    assert t.finish() == 0
    questions = load(out)["questions"]
    checks = {q["item"]: q["answer"] for q in questions if q["kind"] == "check"}
    assert checks["sound_twisting"] == "no" and checks["back_sound"] == "yes"
    # Asked once, before the warning signs; never again after them.
    kinds = [q["kind"] for q in questions]
    last_check = max(i for i, k in enumerate(kinds) if k == "check")
    assert all(k == "check" for k in kinds[: last_check + 1])


def test_harmless_clicking_end_to_end_with_transcript(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    t = Terminal("--transcript", str(out))
    t.start("me", "My lower back pops when I twist. No pain at all.")
    t.expect("Noted:")
    # The text said "no pain": the first step confirms it, quoting the words.
    t.expect("First, please check what we understood from your words.")
    kind, words = t.prompt()
    assert kind == "yn" and "You wrote “No pain”" in words
    t.send("why")
    t.expect("We ask this")
    t.send("")  # an empty line gets help, not a crash
    t.expect(r"Answer y \(yes\), n \(no\)")
    t.send("perhaps")  # an unknown answer too
    t.expect("Answer y")
    t.send("n")
    t.drive(no_to_all)  # skipping the age is allowed: the age bands are asked instead
    assert t.finish() == 0
    data = load(out)
    assert set(data) == {"started_at", "finished_at", "case", "questions", "assessment"}
    assert data["case"]["subject"] == "self"
    result = data["assessment"]
    assert result["triage"]["level"] == "self_care"
    assert result["provisional"] is False and result["screening"]["complete"] is True
    questions = data["questions"]
    assert all({"text", "why", "item", "answer", "kind"} <= set(q) for q in questions)
    assert {q["item"] for q in questions} >= {"bladder_dysfunction", "leg_weakness", "fever"}
    (confirm,) = [q for q in questions if q["kind"] == "confirm"]
    assert confirm["item"] == "pain" and confirm["answer"] == "no"
    assert "No pain" in confirm["item_text"]
    ages = [q for q in questions if q["kind"] == "age"]
    assert ages[0] == {**ages[0], "item": "age", "answer": "not given"}
    assert {q["item"] for q in ages[1:]} >= {"age_under_16"}


def test_a_confirmation_that_contradicts_the_text_wins(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    t = Terminal("--transcript", str(out))
    t.start("me", "My lower back pops when I twist. No pain at all, and no problems peeing.")
    t.expect("First, please check what we understood from your words.")

    def choose(kind: str, words: str) -> str:
        if kind == "age":
            return "45"
        # The reader took "no problems peeing" as a denial; the person says yes.
        return "y" if "You wrote “no problems peeing”" in words else "n"

    t.drive(choose)
    assert t.finish() == 0
    assert any("You wrote “No pain”" in w for w in t.seen)
    data = load(out)
    result = data["assessment"]
    assert result["triage"]["level"] == "emergency"
    bladder = [r for r in result["triage"]["reasons"] if "bladder_dysfunction" in r["evidence"]]
    assert bladder and "we went by your answer" in bladder[0]["text"]
    confirms = {q["item"]: q for q in data["questions"] if q["kind"] == "confirm"}
    assert confirms["bladder_dysfunction"]["answer"] == "yes"
    assert confirms["pain"]["answer"] == "no"
    assert {"id": "bladder_dysfunction", "present": True} in data["case"]["evidence"]


def test_not_sure_is_asked_again_and_back_brings_it_back(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    t = Terminal("--transcript", str(out))
    t.start("me", "")
    rechecks = 0
    went_back = False

    def choose(kind: str, shown: str) -> str:
        nonlocal rechecks, went_back
        if kind == "age":
            return "40"
        if "You were not sure about this" in shown:
            rechecks += 1
            return "n"
        if rechecks == 1 and not went_back:
            # Undo the answer to the second asking: the "not sure" stands, so it comes again.
            went_back = True
            return "back"
        return "?" if "controlling your pee" in shown else "n"

    t.drive(choose)
    assert t.finish() == 0
    assert rechecks == 2 and went_back
    data = load(out)
    bladder = [q for q in data["questions"] if q["item"] == "bladder_dysfunction"]
    assert [(q["kind"], q["answer"], q.get("recheck")) for q in bladder] == [
        ("question", "not sure", None),
        ("recheck", "no", True),
    ]
    # The second answer replaces the "not sure" in the case, marked as the second asking.
    evidence = [e for e in data["case"]["evidence"] if e["id"] == "bladder_dysfunction"]
    assert evidence == [{"id": "bladder_dysfunction", "present": False, "recheck": True}]
    assert data["assessment"]["triage"]["level"] == "self_care"


def test_emergency_stops_at_once_and_back_undoes(tmp_path: Path) -> None:
    t = Terminal()
    t.start("me", "")
    while True:
        kind, words = t.prompt()
        assert kind != "end"
        if kind == "age":
            t.send("abc")
            t.expect("whole number from 0 to 120")
            t.expect(AGE)
            t.send("52")
        elif "controlling your pee" in words:
            break
        else:
            t.send("n")
    t.send("n")  # bladder: no, then take it back
    t.prompt()
    t.send("back")
    t.expect("Going back one answer")
    kind, words = t.prompt()
    assert "controlling your pee" in words
    t.send("y")  # an emergency answer ends the interview at once: the next thing is the result
    assert t.child.expect(["EMERGENCY", YN, AGE]) == 0
    t.expect("Go to an emergency department now")
    # The questions stopped before the end of the screen: the result says so, after what to do.
    t.expect("What to do now")
    t.expect("We stopped the questions here so that you can get help quickly")
    t.expect("This advice is provisional")
    assert t.finish() == 0


def test_answering_for_someone_else(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    t = Terminal("--transcript", str(out))
    t.expect(SUBJECT)
    t.send("maybe")
    t.expect("Please answer 'me'")
    t.expect(SUBJECT)
    t.send("other")
    t.expect("Describe what happens to them")
    t.expect(TEXT)
    t.send("My dad's lower back clicks when he bends. No pain.")

    def choose(kind: str, words: str) -> str:
        return "70" if kind == "age" else "n"

    t.drive(choose)
    assert t.finish() == 0
    # The questions address the person answered for.
    assert any(" they " in f" {w} " or "their" in w for w in t.seen)
    data = load(out)
    assert data["case"]["subject"] == "other" and data["case"]["age"] == 70
    assert data["assessment"]["subject"] == {"value": "other", "origin": "explicit"}


@pytest.mark.parametrize("where", ["subject", "text", "question"])
def test_ctrl_c_stops_cleanly_without_a_file(tmp_path: Path, where: str) -> None:
    out = tmp_path / "t.json"
    t = Terminal("--transcript", str(out))
    t.expect(SUBJECT)
    if where != "subject":
        t.send("me")
        t.expect(TEXT)
        if where == "question":
            t.send("")
            t.prompt()
    t.child.sendintr()  # right as the prompt appears: never lost
    t.expect("interview stopped; nothing was saved")
    assert t.finish() == 130
    assert list(tmp_path.iterdir()) == []


def test_ctrl_d_stops_cleanly_without_a_file(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    t = Terminal("--transcript", str(out))
    t.expect(SUBJECT)
    t.child.sendeof()
    t.expect("interview stopped; nothing was saved")
    assert t.finish() == 130 and not out.exists()
