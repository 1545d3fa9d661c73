"""The command line, driven as a person or a script would: real processes, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXE = [sys.executable, "-m", "crepitus"]
ENV = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100"}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*EXE, *args], input=stdin, capture_output=True, text=True, env=ENV, timeout=60
    )


def one_line_error(proc: subprocess.CompletedProcess[str], status: int = 2) -> str:
    assert proc.returncode == status, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


CASE = {
    "age": 27,
    "evidence": [{"id": "back_sound", "present": True}, {"id": "pain", "present": False}],
}


def test_assess_json_from_file_and_stdin(tmp_path: Path) -> None:
    f = tmp_path / "case.json"
    f.write_text(json.dumps(CASE))
    for proc in (
        run("assess", "--json", str(f)),
        run("assess", "--json", "-", stdin=json.dumps(CASE)),
    ):
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)
        assert out["triage"]["level"] == "self_care"
        assert out["conditions"][0]["id"] == "joint_cavitation"


def test_assess_jsonl_one_line_each() -> None:
    lines = [
        json.dumps(CASE),
        json.dumps({"evidence": [{"id": "bladder_dysfunction", "present": True}]}),
    ]
    proc = run("assess", "--jsonl", "-", stdin="\n".join(lines) + "\n\n")
    assert proc.returncode == 0, proc.stderr
    levels = [json.loads(x)["triage"]["level"] for x in proc.stdout.splitlines()]
    assert levels == ["self_care", "emergency"]


def test_jsonl_with_a_bad_line_writes_nothing() -> None:
    lines = [json.dumps(CASE), '{"age": 200}']
    err = one_line_error(run("assess", "--jsonl", "-", stdin="\n".join(lines)))
    assert err == "crepitus: error: line 2: age: must be at most 120 (got 200)"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '{"evidence": [{"id": "pian", "present": true}]}',
            "unknown finding 'pian'; did you mean 'pain'?",
        ),
        (
            '{"evidence": [{"id": "pain", "present": true}, {"id": "pain", "present": false}]}',
            "'pain' is given twice with different values",
        ),
        ('{"age": "old"}', "age: must be a whole number from 0 to 120"),
        ('{"age": 130}', "age: must be at most 120"),
        ('{"age": 30', "stdin: invalid JSON at line 1 column 11"),
        ("[1, 2]", "a case must be a JSON object, not list"),
    ],
)
def test_bad_input_exits_2_with_one_line(body: str, expected: str) -> None:
    assert expected in one_line_error(run("assess", "--json", "-", stdin=body))


def test_missing_file() -> None:
    assert one_line_error(run("assess", "--json", "/nonexistent.json")).endswith("no such file")


def test_report_for_a_person_puts_the_level_first(tmp_path: Path) -> None:
    f = tmp_path / "case.json"
    f.write_text(json.dumps({"evidence": [{"id": "saddle_numbness", "present": True}]}))
    proc = run("assess", "--case", str(f))
    assert proc.returncode == 0, proc.stderr
    assert (
        proc.stdout.lstrip("╭─ \n").split("\n")[0].find("EMERGENCY") >= 0
        or "EMERGENCY" in proc.stdout.split("\n")[1]
    )
    assert "Go to an emergency department now." in proc.stdout
    assert "Possible causes" in proc.stdout
    assert "Your exercise programme" not in proc.stdout


def test_self_care_report_has_the_programme(tmp_path: Path) -> None:
    f = tmp_path / "case.json"
    f.write_text(json.dumps(CASE))
    proc = run("assess", "--case", str(f))
    assert "SELF-CARE" in proc.stdout and "Your exercise programme" in proc.stdout
    assert "Dose:" in proc.stdout and "Get help if things change" in proc.stdout


def test_kb_check_and_show() -> None:
    proc = run("kb", "check")
    assert proc.returncode == 0 and "is valid" in proc.stdout
    for item in (
        "saddle_numbness",
        "cauda_equina_syndrome",
        "ces_bladder",
        "nice-ng59",
        "dead_bug",
    ):
        proc = run("kb", "show", item)
        assert proc.returncode == 0 and item in proc.stdout, item
    assert "did you mean 'ces_bladder'" in one_line_error(run("kb", "show", "ces_blader"))


def test_demo_runs() -> None:
    proc = run("demo")
    assert proc.returncode == 0
    assert proc.stdout.count("Possible causes") == 4
    assert "EMERGENCY" in proc.stdout and "SELF-CARE" in proc.stdout


def test_usage_errors_are_one_line() -> None:
    err = one_line_error(run("assess"))
    assert "give exactly one of" in err
    assert "No such option" in one_line_error(run("assess", "--nope"))
