"""`crepitus diary`, driven as a person or a script would: the command's entry point (in this
process) on a real SQLite file; a few tests run a real process."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import crepitus_command

EXE = [sys.executable, "-m", "crepitus"]
T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "diary.db"


@pytest.fixture
def run(db: Path) -> Run:
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "TERM": "dumb",
        "COLUMNS": "120",
        "TZ": "UTC",  # times typed without a zone are this computer's: make that UTC here
        "CREPITUS_DATABASE_URL": f"sqlite:///{db}",
    }

    def go(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return crepitus_command(list(args), env, stdin)

    return go


def rows(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM diary_entries").fetchone()[0])


def one_line_error(proc: subprocess.CompletedProcess[str], status: int = 2) -> str:
    assert proc.returncode == status, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert lines[0].startswith("crepitus: error: ")
    return lines[0]


def day(n: int) -> str:
    return (T0 + timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_rising(run: Run) -> None:
    """Seven entries, pain rising from 2 to 5 over 12 days, in one import (one process)."""
    pains = [2, 2, 3, 3, 4, 5, 5]
    entries = [{"at": day(2 * i), "pain": p, "sound": True} for i, p in enumerate(pains)]
    proc = run("diary", "import", "-", stdin=json.dumps({"version": 1, "entries": entries}))
    assert proc.returncode == 0, proc.stderr


def listed(run: Run) -> list[dict[str, Any]]:
    proc = run("diary", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    entries: list[dict[str, Any]] = json.loads(proc.stdout)["entries"]
    return entries


# --- add and list --------------------------------------------------------------------------------


def test_add_and_list(run: Run, db: Path) -> None:
    proc = run(
        "diary", "add", "--at", "2026-10-02T18:30:00+02:00", "--pain", "3", "--sound",
        "--activity", "deadlifts", "--finding", "pain_with_sound", "--finding", "leg_tingling",
        "--note", "Ça craque 🙂",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Added entry 1: Fri 2 Oct 2026 16:30 UTC, pain 3, clicked.")
    assert "Your diary has 1 entry." in proc.stdout
    assert run("diary", "add", "--at", "2026-10-01T08:00", "--no-sound").returncode == 0
    assert rows(db) == 2

    assert listed(run) == [
        {"id": 2, "at": "2026-10-01T08:00:00Z", "sound": False, "findings": []},
        {
            "id": 1,
            "at": "2026-10-02T16:30:00Z",
            "pain": 3,
            "sound": True,
            "activity": "deadlifts",
            "findings": ["pain_with_sound", "leg_tingling"],
            "note": "Ça craque 🙂",
        },
    ]
    table = run("diary", "list")
    assert table.returncode == 0, table.stderr
    assert "Your symptom diary (2 entries)" in table.stdout
    assert "deadlifts" in table.stdout and "leg_tingling" in table.stdout


def test_add_defaults_to_now(run: Run) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    assert run("diary", "add", "--pain", "1").returncode == 0
    (entry,) = listed(run)
    at = datetime.fromisoformat(entry["at"])
    assert before - timedelta(seconds=1) <= at <= datetime.now(UTC)


def test_an_empty_diary(run: Run) -> None:
    proc = run("diary", "list")
    assert proc.returncode == 0
    assert "Your diary is empty" in proc.stdout
    assert listed(run) == []


# --- bad input: one line, exit 2, nothing saved -------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--pain", "11"], "crepitus: error: --pain: must be at most 10 (got 11)"),
        (["--pain", "-1"], "crepitus: error: --pain: must be at least 0 (got -1)"),
        (["--at", "2999-01-01T00:00:00Z"], "crepitus: error: --at: is in the future"),
        (["--at", "yesterday"], "--at: must be an ISO 8601 date and time (got 'yesterday')"),
        (["--at", "1850-01-01"], "--at: must be after 1900"),
        (["--finding", "pian"], "--finding: unknown finding 'pian'; did you mean 'pain'?"),
        (["--activity", "x" * 201], "--activity: is too long: at most 200 characters"),
        (["--pain", "abc"], "'--pain'"),
        (["--colour", "red"], "--colour"),
    ],
)
def test_bad_input_is_one_line_and_saves_nothing(
    run: Run, db: Path, args: list[str], expected: str
) -> None:
    assert run("diary", "add", "--pain", "2").returncode == 0
    line = one_line_error(run("diary", "add", *args))
    assert expected in line
    assert rows(db) == 1


def test_several_bad_options_named_together(run: Run, db: Path) -> None:
    line = one_line_error(run("diary", "add", "--at", "2999-01-01", "--finding", "pian"))
    assert "--at: is in the future" in line and "--finding: unknown finding 'pian'" in line
    assert rows(db) == 0


def test_an_unusable_database_url(tmp_path: Path) -> None:
    env = {**os.environ, "CREPITUS_DATABASE_URL": "mysql://u@h/db"}
    proc = subprocess.run(
        [*EXE, "diary", "list"], capture_output=True, text=True, env=env, timeout=60
    )
    line = one_line_error(proc)
    assert "CREPITUS_DATABASE_URL" in line and "mysql" in line


# --- chart ---------------------------------------------------------------------------------------


def _png_chunks(data: bytes) -> dict[str, list[bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[str, list[bytes]] = {}
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8].decode("ascii")
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(data[pos + 4 : pos + 8 + length]) == crc, f"bad CRC in {kind}"
        chunks.setdefault(kind, []).append(body)
        pos += 12 + length
    return chunks


@pytest.mark.parametrize(("kind", "title"), [("pain", "Pain over time"), ("clicks", "Clicks")])
def test_chart_writes_a_png_drawn_by_matplotlib(
    run: Run, db: Path, tmp_path: Path, kind: str, title: str
) -> None:
    add_rising(run)
    out = tmp_path / f"{kind}.png"
    proc = run("diary", "chart", "--kind", kind, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert str(out) in proc.stdout
    data = out.read_bytes()
    chunks = _png_chunks(data)  # a well-formed PNG: signature, and every chunk's CRC right
    width, height = struct.unpack(">II", chunks["IHDR"][0][:8])
    assert (width, height) == (640, 280)  # the chart's 6.4 x 2.8 inch figure at 100 dpi
    text = dict(c.split(b"\0", 1) for c in chunks.get("tEXt", []))
    assert text[b"Title"].startswith(title.encode()) and text[b"Software"] == b"crepitus"
    # The same bytes matplotlib draws for this diary in-process: the command drew it with
    # matplotlib, from the stored entries.
    from crepitus.diary._charts import clicks_chart, pain_chart
    from crepitus.store import LocalDiary, Store

    store = Store(f"sqlite:///{db}")
    try:
        diary = store.diary(LocalDiary())
    finally:
        store.close()
    assert diary is not None
    draw = pain_chart if kind == "pain" else clicks_chart
    assert draw(diary.entries, "png") == data
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(f".{kind}.png")]  # no temp


def test_chart_bad_input(run: Run, tmp_path: Path) -> None:
    assert "'--kind'" in one_line_error(
        run("diary", "chart", "--kind", "mood", "--out", str(tmp_path / "x.png"))
    )
    missing = tmp_path / "no" / "such" / "x.png"
    assert "its folder does not exist" in one_line_error(
        run("diary", "chart", "--out", str(missing))
    )
    assert "--out" in one_line_error(run("diary", "chart"))


# --- export and import ---------------------------------------------------------------------------


def test_export_json_and_import_round_trip(run: Run, tmp_path: Path) -> None:
    add_rising(run)
    assert (
        run("diary", "add", "--at", day(1), "--note", "=1+1", "--activity", "desk").returncode == 0
    )
    out = tmp_path / "diary.json"
    proc = run("diary", "export", "--format", "json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["version"] == 1 and len(exported["entries"]) == 8
    stdout = run("diary", "export")
    assert json.loads(stdout.stdout)["entries"] == exported["entries"]

    # Into a fresh database, then once more: the second import adds nothing.
    other = tmp_path / "other.db"
    env = {**os.environ, "CREPITUS_DATABASE_URL": f"sqlite:///{other}", "TZ": "UTC"}

    def run_other(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*EXE, *args], capture_output=True, text=True, env=env, timeout=120)

    first = run_other("diary", "import", str(out))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "Imported 8 entries. Your diary has 8 entries."
    again = run_other("diary", "import", str(out))
    assert "Imported 0 entries (8 already in your diary)" in again.stdout
    assert rows(other) == 8
    back = json.loads(run_other("diary", "export").stdout)["entries"]
    assert back == exported["entries"]


def test_export_csv(run: Run, tmp_path: Path) -> None:
    assert run("diary", "add", "--at", day(0), "--pain", "4", "--sound", "--activity", "gym",
               "--finding", "pain_sharp", "--note", "+SUM(A1)").returncode == 0  # fmt: skip
    proc = run("diary", "export", "--format", "csv")
    assert proc.returncode == 0
    (row,) = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert row == {
        "at": "2026-10-01T09:00:00Z",
        "pain": "4",
        "sound": "yes",
        "activity": "gym",
        "findings": "pain_sharp",
        "note": "'+SUM(A1)",
    }
    out = tmp_path / "diary.csv"
    assert run("diary", "export", "--format", "csv", "--out", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8") == proc.stdout


def test_import_is_all_or_nothing(run: Run, db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"version": 1, "entries": [{"at": day(0), "pain": 2}, {"at": day(1), "pain": 12}]}
        )
    )
    line = one_line_error(run("diary", "import", str(bad)))
    assert line == f"crepitus: error: {bad}: entries.1.pain: must be at most 10 (got 12)"
    assert rows(db) == 0
    broken = tmp_path / "broken.json"
    broken.write_text('{"entries": [')
    assert "invalid JSON" in one_line_error(run("diary", "import", str(broken)))
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps([{"at": day(0)}]))
    assert "must be a JSON object" in one_line_error(run("diary", "import", str(wrong)))
    assert "no such file" in one_line_error(run("diary", "import", str(tmp_path / "none.json")))
    assert rows(db) == 0


def test_import_from_stdin(run: Run) -> None:
    doc = json.dumps({"entries": [{"at": day(0), "pain": 1}]})
    proc = run("diary", "import", "-", stdin=doc)
    assert proc.returncode == 0, proc.stderr
    assert [e["pain"] for e in listed(run)] == [1]


# --- assess and delete ---------------------------------------------------------------------------


def test_assess_shows_the_diary_rule_when_pain_rises(run: Run, tmp_path: Path) -> None:
    add_rising(run)
    proc = run("diary", "assess")
    assert proc.returncode == 0, proc.stderr
    words = " ".join(proc.stdout.split())
    assert "Your pain has gone from 2 to 5 over 12 days" in words
    assert "SEE A DOCTOR OR PHYSIOTHERAPIST" in words
    assert "Your symptom diary shows your pain getting worse" in words

    as_json = json.loads(run("diary", "assess", "--json").stdout)
    assert as_json["triage"]["level"] == "consultation"
    assert "diary_pain_rising" in {r["rule"] for r in as_json["triage"]["reasons"]}
    assert as_json["trends"]["pain"]["direction"] == "rising"

    case = tmp_path / "case.json"
    case.write_text(json.dumps({"age": 60, "evidence": [{"id": "fever", "present": True}]}))
    with_case = json.loads(run("diary", "assess", "--case", str(case), "--json").stdout)
    assert with_case["triage"]["level"] == "consultation_24"
    assert "diary_pain_rising" in {r["rule"] for r in with_case["triage"]["reasons"]}


def test_assess_a_steady_diary(run: Run) -> None:
    for i, pain in enumerate([3, 3, 4, 3]):
        assert run("diary", "add", "--at", day(i), "--pain", str(pain)).returncode == 0
    out = json.loads(run("diary", "assess", "--json").stdout)
    assert "diary_pain_rising" not in {r["rule"] for r in out["triage"]["reasons"]}


def test_delete(run: Run, db: Path) -> None:
    assert run("diary", "add", "--pain", "1").returncode == 0
    assert run("diary", "add", "--pain", "2").returncode == 0
    proc = run("diary", "delete", "1")
    assert proc.returncode == 0 and proc.stdout.strip() == "Deleted entry 1."
    assert [e["pain"] for e in listed(run)] == [2]
    assert "no entry 1" in one_line_error(run("diary", "delete", "1"))
    assert rows(db) == 1


def test_assess_still_starts_without_the_database_or_matplotlib() -> None:
    # The diary's heavy imports stay inside its commands.
    code = (
        "import sys, crepitus.cli; "
        "print(sorted(m for m in ('sqlalchemy', 'matplotlib', 'alembic') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
