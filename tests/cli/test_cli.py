"""The command line, driven as a person or a script would: its entry point with real exit codes.

Most tests call ``crepitus.cli.main`` in this process (the reader is built once, not once per
command); ``test_a_real_process`` runs the installed command itself, as a smoke test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crepitus import kb
from tests.helpers import crepitus_command

EXE = [sys.executable, "-m", "crepitus"]
ENV = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100"}


def run(
    *args: str, stdin: str | None = None, columns: int = 100
) -> subprocess.CompletedProcess[str]:
    """``crepitus ARGS`` through its entry point, in this process: output, errors, exit status."""
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": str(columns)}
    return crepitus_command(list(args), env, stdin)


def test_a_real_process() -> None:
    """The installed command, in its own process: status, output and a one-line error."""
    env = {**ENV, "COLUMNS": "100"}
    ok = subprocess.run(
        [*EXE, "assess", "My back clicks when I twist, no pain", "--age", "30"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert ok.returncode == 0 and "Provisional" in ok.stdout
    bad = subprocess.run(
        [*EXE, "assess", "--json", "-"], input="{", capture_output=True, text=True, env=env,
        timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1


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


SCREEN = [i.id for i in kb.load().screening if i.only_for in (None, "self")]


def screened(age: int, present: list[str], unsure: tuple[str, ...] = ()) -> dict[str, object]:
    """A case whose red-flag screen is complete: every screening item answered."""
    evidence: list[dict[str, object]] = [{"id": f, "present": True} for f in present]
    evidence += [{"id": f, "present": None} for f in unsure]
    evidence += [{"id": f, "present": False} for f in SCREEN if f not in (*present, *unsure)]
    return {"age": age, "evidence": evidence}


def case_file(tmp_path: Path, case: object) -> str:
    f = tmp_path / "case.json"
    f.write_text(json.dumps(case))
    return str(f)


def test_report_for_a_person_puts_the_level_first(tmp_path: Path) -> None:
    f = case_file(tmp_path, {"evidence": [{"id": "saddle_numbness", "present": True}]})
    proc = run("assess", "--case", f)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert (
        out.lstrip("╭─ \n").split("\n")[0].find("EMERGENCY") >= 0
        or "EMERGENCY" in out.split("\n")[1]
    )
    assert "Go to an emergency department now." in out
    # Provisional (nothing else was asked): said right after the emergency's instructions, and
    # without sending the person to answer questions first.
    assert out.index("What to do now") < out.index("This advice is provisional")
    assert out.index("This advice is provisional") < out.index("Why")
    assert "Do not wait to answer them" in out and "crepitus interview" not in out
    assert "Possible causes" in out
    assert "Your exercise programme" not in out


def test_self_care_report_has_the_programme(tmp_path: Path) -> None:
    f = tmp_path / "case.json"
    f.write_text(json.dumps(CASE))
    proc = run("assess", "--case", str(f))
    assert "SELF-CARE" in proc.stdout and "Your exercise programme" in proc.stdout
    assert "Dose:" in proc.stdout and "Get help if things change" in proc.stdout


def flat(text: str) -> str:
    """The report's words without panel borders and line breaks."""
    return " ".join(text.replace("│", " ").split())


def test_a_text_only_assessment_is_provisional_first() -> None:
    proc = run("assess", "My lower back pops when I twist. No pain at all.", "--age", "30")
    assert proc.returncode == 0, proc.stderr
    out, words = proc.stdout, flat(proc.stdout)
    # The notice comes before the level: what was not asked, in plain words, and how to answer.
    assert out.index("This advice is provisional") < out.index("SELF-CARE")
    assert "Not asked yet" in out
    for plain in ("A fever, chills or night sweats", "Weight loss you cannot explain"):
        assert plain in words
    # Read from the words but not confirmed: listed, with the words.
    assert "(you wrote “No pain”)" in words
    assert "Run `crepitus interview` to answer them." in words
    # Never "harmless" before every warning sign is asked about.
    assert "sounds harmless" not in words and "harmless mechanical event" not in words
    assert "we have not asked about every one yet" in words
    assert "Your exercise programme" in out


def test_a_text_only_assessment_is_provisional_in_json() -> None:
    proc = run("assess", "My lower back pops when I twist. No pain at all.", "--as-json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["provisional"] is True and out["triage"]["provisional"] is True
    assert out["screening"]["complete"] is False
    states = {i["id"]: i["state"] for i in out["screening"]["items"]}
    assert states["fever"] == "not_asked" and states["fainting"] == "from_text"
    assert {"fever", "bladder_dysfunction"} <= {i["id"] for i in out["screening"]["to_ask"]}


def test_a_complete_screen_is_not_provisional(tmp_path: Path) -> None:
    case = screened(30, ["back_sound"])
    proc = run("assess", "--case", case_file(tmp_path, case))
    assert proc.returncode == 0, proc.stderr
    assert "provisional" not in proc.stdout.lower()
    assert "This sounds harmless" in proc.stdout
    proc = run("assess", "--json", "-", stdin=json.dumps(case))
    assert json.loads(proc.stdout)["provisional"] is False


def test_not_sure_is_listed_and_raises_the_level(tmp_path: Path) -> None:
    case = screened(30, ["pain"], unsure=("bladder_dysfunction",))
    proc = run("assess", "--case", case_file(tmp_path, case))
    assert proc.returncode == 0, proc.stderr
    words = flat(proc.stdout)
    assert "SEE A DOCTOR WITHIN 24 HOURS" in words
    assert "You were not sure about" in words
    assert "controlling your pee" in words


def test_plan_notes_are_shown(tmp_path: Path) -> None:
    case = screened(30, ["pain", "pain_below_knee", "leg_tingling"])
    out = json.loads(run("assess", "--json", "-", stdin=json.dumps(case)).stdout)
    assert out["plan"]["notes"]
    proc = run("assess", "--case", case_file(tmp_path, case))
    words = flat(proc.stdout)
    for note in out["plan"]["notes"]:
        assert flat(note) in words


@pytest.mark.parametrize(
    ("text", "age", "reason", "level_words"),
    [
        (
            "My knee clicks when I squat.",
            "40",
            "other_body_part",
            "crepitus covers the lower back only",
        ),
        ("My lower back clicks when I bend.", "8", "child", "crepitus is made for adults"),
        (
            "My back clicks and I have chest pain spreading to my left arm.",
            "60",
            "life_threat",
            "CALL AN AMBULANCE",
        ),
    ],
)
def test_out_of_scope_shows_the_scope_and_no_lower_back_plan(
    text: str, age: str, reason: str, level_words: str
) -> None:
    data = json.loads(run("assess", text, "--age", age, "--as-json").stdout)
    assert data["scope"]["in"] is False and data["scope"]["reason"] == reason
    proc = run("assess", text, "--age", age)
    assert proc.returncode == 0, proc.stderr
    words = flat(proc.stdout)
    assert level_words in words
    assert flat(data["scope"]["text"]) in words
    assert "Possible causes" not in words and "About the most likely cause" not in words
    assert "Your exercise programme" not in words and "Preventing it" not in words


@pytest.mark.parametrize("flag", [["--for-someone-else"], ["--subject", "other"]])
def test_assess_for_someone_else(flag: list[str]) -> None:
    text = "My mother's lower back clicks when she gets up. No pain."
    data = json.loads(run("assess", text, *flag, "--as-json").stdout)
    assert data["subject"] == {"value": "other", "origin": "explicit"}
    # The plain words address the person answered for.
    assert any("they" in i["text"] or "their" in i["text"] for i in data["screening"]["to_ask"])
    proc = run("assess", text, *flag)
    assert proc.returncode == 0, proc.stderr
    assert "Answered for someone else" in proc.stdout
    mine = json.loads(run("assess", text, "--subject", "self", "--as-json").stdout)
    assert mine["subject"] == {"value": "self", "origin": "explicit"}


def test_subject_flags_are_checked(tmp_path: Path) -> None:
    err = one_line_error(run("assess", "my back clicks", "--subject", "robot"))
    assert "subject: must be 'self' or 'other'" in err
    err = one_line_error(run("assess", "x", "--for-someone-else", "--subject", "self"))
    assert "contradict" in err
    err = one_line_error(run("assess", "--case", case_file(tmp_path, CASE), "--subject", "other"))
    assert err == (
        "crepitus: error: --subject goes with TEXT; with a case file, put it in the case"
    )


def test_kb_rules_lists_every_rule_with_its_sources() -> None:
    knowledge = kb.load()
    proc = run("kb", "rules", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["knowledge_version"].split("+")[0] == knowledge.version.split("+")[0]
    got = {r["id"]: r for r in data["rules"]}
    assert set(got) == {r.id for r in knowledge.rules} and len(got) == len(data["rules"])
    for rule in knowledge.rules:
        row = got[rule.id]
        assert row["sources"] == rule.sources
        assert (row["level"], row["decision"], row["rationale"]) == (
            rule.level,
            rule.decision,
            rule.rationale,
        )
    # Most urgent first.
    ranks = [kb.level_rank(r["level"]) for r in data["rules"]]
    assert ranks == sorted(ranks, reverse=True)


def test_kb_rules_markdown_has_one_row_per_rule() -> None:
    knowledge = kb.load()
    proc = run("kb", "rules", "--format", "markdown")
    assert proc.returncode == 0, proc.stderr
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in proc.stdout.splitlines()
        if line.startswith("| `")
    }
    assert set(rows) == {r.id for r in knowledge.rules}
    for rule in knowledge.rules:
        cells = [c.strip() for c in rows[rule.id].strip("|").split(" | ")]
        assert len(cells) == 6, rows[rule.id]
        assert cells[1] == f"`{rule.level}`" and cells[4] == rule.decision
        for source in rule.sources:
            assert source in cells[3], (rule.id, source)
    # Conditions in words, with the exception; every cited source explained below the table.
    assert "`trauma_major and (" in proc.stdout
    assert "unless " in rows["ces_bilateral"]
    assert "and at least 4 of (" in rows["inflammatory_back_pain_asas"]
    assert "## Sources" in proc.stdout and "- `nice-ng156`: " in proc.stdout


@pytest.mark.parametrize("columns", [100, 200])
def test_kb_rules_table(columns: int) -> None:
    # Narrow terminals get one block per rule, wide ones a table; both show every rule whole.
    proc = run("kb", "rules", columns=columns)
    assert proc.returncode == 0, proc.stderr
    assert max(len(line) for line in proc.stdout.splitlines()) <= columns
    words = flat(proc.stdout)
    for rule in kb.load().rules:
        assert rule.id in proc.stdout, rule.id
        assert rule.level in proc.stdout
        for source in rule.sources:
            assert source in proc.stdout
    assert "unless claudication_pattern" in words


def test_kb_rules_bad_format() -> None:
    err = one_line_error(run("kb", "rules", "--format", "xml"))
    assert "must be table, markdown or json" in err


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
