"""Input built to break a parser: one clean line and exit status 2, never "internal error".

The JSON cases run in this process through ``main`` (where the exit status is decided; typer's
CliRunner calls the app beneath it); the argv case needs a real process, as only the operating
system hands Python arguments that are not UTF-8.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crepitus.cli import main


def _fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    out, err = capsys.readouterr()
    assert stop.value.code == 2, err
    assert out == "" and "Traceback" not in err and "internal error" not in err
    (line,) = err.splitlines()
    return line


def test_a_5000_digit_integer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.json"
    case.write_text('{"age": ' + "9" * 5000 + "}", encoding="utf-8")
    line = _fails(capsys, "assess", "--json", str(case))
    limit = f"{sys.get_int_max_str_digits():,}"
    assert line == f"crepitus: error: {case}: a number in it is too long (at most {limit} digits)"


def test_json_nested_10000_deep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.json"
    case.write_text('{"age": 30, "evidence": ' + "[" * 10_000 + "]" * 10_000 + "}")
    line = _fails(capsys, "assess", "--case", str(case))
    assert line == (
        f"crepitus: error: {case}: lists or objects nested too deeply to read "
        "(a case is a few levels deep)"
    )


def test_an_argument_that_is_not_utf8() -> None:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "crepitus", "parse", b"my back clicks \xff\xfe"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode("utf-8").splitlines() == [
        "crepitus: error: argument 2 ('my back clicks \\xff\\xfe') is not UTF-8 text; "
        "crepitus reads UTF-8 only"
    ]
