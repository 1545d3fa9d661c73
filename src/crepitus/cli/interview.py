"""`crepitus interview`: the adaptive interview in a terminal, one question at a time.

Answers: y (yes), n (no), ? (not sure); `why` explains the question, `back` undoes the last answer,
`quit` (or Ctrl-D, Ctrl-C) stops without writing anything. The transcript is written only when
the interview ends, atomically, so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

__all__ = ["Stopped", "run_interview"]

YES = {"y", "yes", "yeah", "yep", "1"}
NO = {"n", "no", "nope", "0"}
UNSURE = {"?", "not sure", "notsure", "unsure", "dont know", "don't know", "u", "idk", "maybe"}
HELP = (
    "Answer y (yes), n (no) or ? (not sure). "
    "Type 'why' to see why we ask, 'back' to go back, 'quit' to stop."
)


class Stopped(Exception):
    """The person stopped the interview before the end."""


@dataclass
class Session:
    case: dict[str, Any]
    # One entry per answered item, in order, so 'back' can undo exactly one answer.
    answers: list[tuple[dict[str, Any], str, bool | None]] = field(default_factory=list)

    def evidence(self) -> list[dict[str, Any]]:
        return [{"id": fid, "present": value} for _, fid, value in self.answers]

    def current_case(self) -> dict[str, Any]:
        return {**self.case, "evidence": [*self.case.get("evidence", []), *self.evidence()]}


def _ask(console: Console, prompt: str) -> str:
    try:
        return console.input(prompt, markup=False)
    except EOFError:
        raise Stopped from None


def _opening(console: Console) -> dict[str, Any]:
    import crepitus

    case: dict[str, Any] = {}
    console.print(Text("Describe what happens, in your own words", style="bold"))
    console.print("(for example: 'my lower back pops when I twist, no pain'). Press Enter to skip.")
    while True:
        text = _ask(console, "> ").strip()
        if not text:
            break
        if len(text) > 10_000:
            console.print("That is longer than 10,000 characters; please shorten it.")
            continue
        case["text"] = text
        found = [m for m in crepitus.parse(text) if m.get("present") is not None]
        if found:
            from crepitus import kb

            labels = [
                ("" if m["present"] else "no ") + kb.load().findings[m["id"]].label.lower()
                for m in found
            ]
            console.print(Text("Noted: " + "; ".join(dict.fromkeys(labels)) + ".", style="dim"))
        break
    while True:
        raw = _ask(console, "How old are you? (Enter to skip) ").strip()
        if not raw:
            break
        if raw.isdigit() and 0 <= int(raw) <= 120:
            case["age"] = int(raw)
            break
        console.print(
            "Please give your age as a whole number from 0 to 120, or press Enter to skip."
        )
    return case


def _answer(console: Console, question: dict[str, Any], item: dict[str, Any]) -> str | bool | None:
    """One item: True/False/None, or 'back'."""
    prompt = f"  {item['text']} [y/n/?] " if question["type"] == "group_multiple" else "[y/n/?] "
    while True:
        raw = " ".join(_ask(console, prompt).strip().lower().split())
        if raw in YES:
            return True
        if raw in NO:
            return False
        if raw in UNSURE:
            return None
        if raw in {"why", "w", "why?"}:
            console.print(Text(question["why"], style="italic"))
        elif raw in {"back", "b"}:
            return "back"
        elif raw in {"quit", "q", "exit"}:
            raise Stopped
        else:
            console.print(HELP)


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


def run_interview(console: Console, transcript: Path | None = None) -> dict[str, Any]:
    import crepitus
    from crepitus.cli.report import render_assessment

    started = datetime.now(UTC)
    console.print(Text("crepitus: questions about your lower back", style="bold"))
    console.print(f"{HELP}\nIf you have a medical emergency, call emergency services now.\n")
    session = Session(_opening(console))
    shown: str | None = None
    while True:
        # Re-plan after every single answer, so an emergency answer ends the interview at once.
        step = crepitus.next_question(session.current_case())
        if step["should_stop"]:
            break
        question = step["question"]
        if shown != question["text"]:
            console.print()
            console.print(Text(question["text"], style="bold"))
            shown = question["text"]
        item = question["items"][0]
        value = _answer(console, question, item)
        if value == "back":
            if session.answers:
                session.answers.pop()
                console.print(Text("Going back one answer.", style="dim"))
            else:
                console.print(Text("This is the first question.", style="dim"))
            shown = None
            continue
        assert value is None or isinstance(value, bool)
        session.answers.append((question, item["id"], value))
    case = session.current_case()
    result = crepitus.assess(case)
    console.print()
    render_assessment(result, console)
    if transcript is not None:
        _write_transcript(
            transcript,
            {
                "started_at": started.isoformat(),
                "finished_at": datetime.now(UTC).isoformat(),
                "case": case,
                "questions": [
                    {
                        "text": q["text"],
                        "why": q["why"],
                        "item": fid,
                        "answer": "yes" if v else ("not sure" if v is None else "no"),
                    }
                    for q, fid, v in session.answers
                ],
                "assessment": result,
            },
        )
        console.print(Text(f"Transcript saved to {transcript}", style="dim"))
    return result
