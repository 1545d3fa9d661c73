"""`crepitus interview`: the adaptive interview in a terminal, one question at a time.

It starts by asking whom it is about (the person, or someone they answer for), then their own
words, then whatever the core asks next, re-planned after every answer:

* ``question``: an ordinary question, or a group answered one item at a time;
* ``confirm``: what the person's words said of a red flag, quoted, to confirm (yes = present);
* ``recheck``: a red flag answered "not sure", asked again in concrete words; the answer is
  recorded with ``"recheck": true`` and replaces the "not sure" (``back`` brings it back);
* ``age``: asked as a number; a person who would rather not say answers the age bands instead.

Answers: y (yes), n (no), ? (not sure); `why` explains the question, `back` undoes the last answer,
`quit` (or Ctrl-D, Ctrl-C) stops without writing anything. The transcript is written only when
the interview ends, atomically, so an interrupted run never leaves half a file.

Ctrl-C is never lost: while waiting for a line the terminal is watched together with a wake-up
pipe that the signal writes to, so a Ctrl-C pressed just as a prompt appears still stops at once.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from crepitus.limits import MAX_TEXT

__all__ = ["Stopped", "run_interview"]

YES = {"y", "yes", "yeah", "yep", "1"}
NO = {"n", "no", "nope", "0"}
UNSURE = {"?", "not sure", "notsure", "unsure", "dont know", "don't know", "u", "idk", "maybe"}
ME = {"me", "m", "myself", "self", "i", "you", "about me", "mine"}
OTHER = {"other", "o", "someone else", "someone", "else", "them", "for someone else", "others"}
WHY = {"why", "w", "why?"}
BACK = {"back", "b"}
QUIT = {"quit", "q", "exit"}
HELP = (
    "Answer y (yes), n (no) or ? (not sure). "
    "Type 'why' to see why we ask, 'back' to go back, 'quit' to stop."
)
SUBJECT_PROMPT = "Is this about you, or are you answering for someone else? [me/other] "
SUBJECT_HELP = "Please answer 'me' (it is about you) or 'other' (you answer for someone else)."
SUBJECT_WHY = (
    "We ask this so that the questions are about the right person, and so that what you write "
    "about them counts as their symptoms."
)
AGE_PROMPT = "Age in years (Enter if you would rather not say): "
#: The check of what was read: Enter keeps what the words said.
_READ_WORDS = {"present": "yes", "absent": "no", "uncertain": "not sure"}
_READ_VALUES: dict[str, bool | None] = {"present": True, "absent": False, "uncertain": None}
CHECK_HELP = "Press Enter to keep what we read, or answer y (yes), n (no) or ? (not sure)."
AGE_HELP = "Please give the age as a whole number from 0 to 120, or press Enter to skip."
#: A safety stop: an interview this long means something is wrong; assess what is known.
MAX_ANSWERS = 200


class Stopped(Exception):
    """The person stopped the interview before the end."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One answer, in order, so that 'back' can undo exactly one."""

    kind: str  # the question's kind: "question", "confirm", "recheck", "check", "age"
    question: dict[str, Any]
    item: str  # a finding id, or "age" for the number (or for declining to give it)
    value: bool | int | None  # yes/no/not sure; the age; None for a declined age too
    item_text: str = ""
    recheck: bool = False

    @property
    def is_age(self) -> bool:
        return self.item == "age"

    def as_transcript(self) -> dict[str, Any]:
        if self.is_age:
            answer = "not given" if self.value is None else str(self.value)
        else:
            answer = "yes" if self.value else ("not sure" if self.value is None else "no")
        out: dict[str, Any] = {
            "text": self.question["text"],
            "why": self.question["why"],
            "item": self.item,
            "answer": answer,
            "kind": self.kind,
        }
        if self.item_text:
            out["item_text"] = self.item_text
        if self.recheck:
            out["recheck"] = True
        return out


@dataclass
class Session:
    case: dict[str, Any]
    entries: list[Entry] = field(default_factory=list)

    @property
    def answers(self) -> list[Entry]:
        return [e for e in self.entries if not e.is_age]

    @property
    def age_declined(self) -> bool:
        return any(e.is_age and e.value is None for e in self.entries)

    def evidence(self) -> list[dict[str, Any]]:
        # A later answer to the same finding (the concrete second asking) replaces the first.
        found: dict[str, dict[str, Any]] = {}
        for e in self.answers:
            entry: dict[str, Any] = {"id": e.item, "present": e.value}
            if e.recheck:
                entry["recheck"] = True
            found[e.item] = entry
        return list(found.values())

    def current_case(self) -> dict[str, Any]:
        case = {**self.case, "evidence": [*self.case.get("evidence", []), *self.evidence()]}
        for e in self.entries:
            if e.is_age and isinstance(e.value, int):
                case["age"] = e.value
        return case


# --- reading a line ------------------------------------------------------------------------------

_wake_fd: int | None = None


@contextmanager
def _ctrl_c_never_lost() -> Iterator[None]:
    """Let a Ctrl-C that arrives just before a read blocks wake the read up (self-pipe)."""
    global _wake_fd
    usable = (
        os.name == "posix"
        and threading.current_thread() is threading.main_thread()
        and sys.stdin is not None
        and sys.stdin.isatty()
    )
    if not usable:
        yield
        return
    r, w = os.pipe()
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    old = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    _wake_fd = r
    try:
        yield
    finally:
        signal.set_wakeup_fd(old)
        _wake_fd = None
        os.close(r)
        os.close(w)


def _wait_for_line() -> None:
    """Return once the terminal has a line (or end of input) to read; a signal that arrived
    meanwhile is raised by Python straight after (Ctrl-C: KeyboardInterrupt)."""
    wake = _wake_fd
    if wake is None:
        return
    fd = sys.stdin.fileno()
    while True:
        ready, _, _ = select.select([fd, wake], [], [])
        if wake in ready:
            try:
                while os.read(wake, 512):
                    pass
            except BlockingIOError:
                pass
        if fd in ready:
            return


def _ask(console: Console, prompt: str) -> str:
    console.print(Text(prompt), end="")
    try:
        _wait_for_line()
        return input()
    except EOFError:
        raise Stopped from None


def _words(raw: str) -> str:
    return " ".join(raw.strip().lower().split())


# --- the opening ---------------------------------------------------------------------------------


def _subject(console: Console) -> str:
    while True:
        raw = _words(_ask(console, SUBJECT_PROMPT))
        if raw in ME:
            return "self"
        if raw in OTHER:
            return "other"
        if raw in WHY:
            console.print(Text(SUBJECT_WHY, style="italic"))
        elif raw in QUIT:
            raise Stopped
        elif raw in BACK:
            console.print(Text("This is the first question.", style="dim"))
        else:
            console.print(SUBJECT_HELP)


def _opening(console: Console) -> dict[str, Any]:
    import crepitus

    subject = _subject(console)
    case: dict[str, Any] = {"subject": subject}
    console.print()
    if subject == "other":
        console.print(Text("Describe what happens to them, in your own words", style="bold"))
        console.print("(for example: 'my father's lower back pops when he bends, no pain').")
    else:
        console.print(Text("Describe what happens, in your own words", style="bold"))
        console.print("(for example: 'my lower back pops when I twist, no pain').")
    console.print("Press Enter to skip.")
    while True:
        text = _ask(console, "> ").strip()
        if not text:
            break
        if len(text) > MAX_TEXT:
            console.print(f"That is longer than {MAX_TEXT:,} characters; please shorten it.")
            continue
        case["text"] = text
        found = [m for m in crepitus.parse(text, subject) if m.get("present") is not None]
        if found:
            from crepitus import kb

            labels = [
                ("" if m["present"] else "no ") + kb.load().findings[m["id"]].label.lower()
                for m in found
            ]
            console.print(Text("Noted: " + "; ".join(dict.fromkeys(labels)) + ".", style="dim"))
        break
    return case


# --- one answer ----------------------------------------------------------------------------------


def _answer(
    console: Console, question: dict[str, Any], item: dict[str, Any], show_item: bool
) -> str | bool | None:
    """One item: True/False/None, or 'back'."""
    prompt = f"  {item['text']} [y/n/?] " if show_item else "[y/n/?] "
    return _yes_no(console, question, prompt, HELP)


def _check(console: Console, question: dict[str, Any], item: dict[str, Any]) -> str | bool | None:
    """One item of the check of what was read: Enter keeps the reading; or 'back'."""
    read = str(item.get("read") or "uncertain")
    prompt = f"  {item['text']} [Enter = {_READ_WORDS[read]}, or y/n/?] "
    return _yes_no(console, question, prompt, CHECK_HELP, on_enter=(_READ_VALUES[read],))


def _yes_no(
    console: Console,
    question: dict[str, Any],
    prompt: str,
    help_text: str,
    on_enter: tuple[bool | None] | None = None,
) -> str | bool | None:
    """Ask until the answer is yes, no, not sure or back; ``on_enter`` holds what an empty line
    means, when it means an answer (else it gets the help)."""
    while True:
        raw = _words(_ask(console, prompt))
        if not raw and on_enter is not None:
            return on_enter[0]
        if raw in YES:
            return True
        if raw in NO:
            return False
        if raw in UNSURE:
            return None
        if _command(console, question, raw, help_text):
            return "back"


def _command(console: Console, question: dict[str, Any], raw: str, help_text: str) -> bool:
    """Handle why / back / quit (or print the help); True for back."""
    if raw in WHY:
        console.print(Text(question["why"], style="italic"))
    elif raw in BACK:
        return True
    elif raw in QUIT:
        raise Stopped
    else:
        console.print(help_text)
    return False


def _age(console: Console, question: dict[str, Any]) -> int | str | None:
    """The age as a number, None when the person would rather not say, or 'back'."""
    while True:
        raw = _words(_ask(console, AGE_PROMPT))
        if not raw:
            return None
        if raw.isdigit() and 0 <= int(raw) <= 120:
            return int(raw)
        if _command(console, question, raw, AGE_HELP):
            return "back"


def _write_transcript(path: Path, data: dict[str, Any]) -> None:
    # Write beside the target and rename: the file is complete or absent, never half-written.
    folder = path.resolve().parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".crepitus-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _check_now(session: Session, kind: str, step: dict[str, Any]) -> bool:
    """Whether the check of what was read comes now: not before a confirmation or a second
    asking, never at an emergency, and only until another question has been answered."""
    from crepitus.report.view import EMERGENCY_LEVELS

    if kind in ("confirm", "recheck") or step.get("level") in EMERGENCY_LEVELS:
        return False
    return all(e.kind in ("confirm", "recheck", "check") for e in session.entries)


def run_interview(console: Console, transcript: Path | None = None) -> dict[str, Any]:
    with _ctrl_c_never_lost():
        return _run(console, transcript)


def _run(console: Console, transcript: Path | None) -> dict[str, Any]:
    import crepitus
    from crepitus.cli.report import render_assessment

    started = datetime.now(UTC)
    console.print(Text("crepitus: questions about a lower back that clicks", style="bold"))
    console.print(f"{HELP}\nIf this is a medical emergency, call emergency services now.\n")
    session = Session(_opening(console))
    shown: str | None = None
    while len(session.entries) < MAX_ANSWERS:
        # Re-plan after every single answer, so an emergency answer ends the interview at once.
        step = crepitus.next_question(session.current_case())
        if step["should_stop"]:
            break
        question = step["question"]
        kind = str(question.get("kind") or "question")
        if _check_now(session, kind, step):
            # After the red flags read from the words are confirmed, and before any other
            # question: the rest of what was read, each item kept with Enter or corrected.
            check = crepitus.understood(session.current_case())
            if check is not None:
                question, kind = check, "check"
        if shown != question["text"]:
            console.print()
            console.print(Text(question["text"], style="bold"))
            if question.get("hint"):
                console.print(Text(str(question["hint"])))
            shown = question["text"]
        value: str | bool | int | None
        if kind == "age" and not session.age_declined:
            value = _age(console, question)
            if value is None:
                console.print("Then please say which of these applies.")
                session.entries.append(Entry(kind, question, "age", None))
                continue
            if value != "back":
                assert isinstance(value, int)
                session.entries.append(Entry(kind, question, "age", value))
                continue
        else:
            item = question["items"][0]
            show_item = question["type"] == "group_multiple" or kind in (
                "confirm",
                "recheck",
                "check",
                "age",
            )
            if kind == "check":
                value = _check(console, question, item)
            else:
                value = _answer(console, question, item, show_item)
            if value != "back":
                assert value is None or isinstance(value, bool)
                recheck = bool(item.get("recheck")) or kind == "recheck"
                session.entries.append(
                    Entry(kind, question, item["id"], value, str(item["text"]), recheck)
                )
                continue
        if session.entries:
            session.entries.pop()
            console.print(Text("Going back one answer.", style="dim"))
        else:
            console.print(Text("This is the first question.", style="dim"))
        shown = None
    case = session.current_case()
    result = crepitus.assess(case)
    console.print()
    render_assessment(result, console, interviewed=True)
    if transcript is not None:
        _write_transcript(
            transcript,
            {
                "started_at": started.isoformat(),
                "finished_at": datetime.now(UTC).isoformat(),
                "case": case,
                "questions": [e.as_transcript() for e in session.entries],
                "assessment": result,
            },
        )
        console.print(Text(f"Transcript saved to {transcript}", style="dim"))
    return result
