"""What the command line's modules share: the usage error, the console, reading files and JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["UsageProblem", "dump", "load_json", "make_console", "read_source"]


class UsageProblem(Exception):
    """Bad input from the user: reported in one line, exit status 2."""


def make_console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def read_source(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageProblem(f"{path}: is a directory, not a JSON file") from None
    except UnicodeDecodeError:
        raise UsageProblem(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot read ({exc.strerror})") from None


def load_json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageProblem(
            f"{where}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except ValueError as exc:
        # An integer longer than Python converts (sys.get_int_max_str_digits(), 4,300 digits).
        if "integer string conversion" not in str(exc):
            raise UsageProblem(f"{where}: invalid JSON ({' '.join(str(exc).split())})") from None
        raise UsageProblem(
            f"{where}: a number in it is too long (at most {sys.get_int_max_str_digits():,} digits)"
        ) from None
    except RecursionError:
        raise UsageProblem(
            f"{where}: lists or objects nested too deeply to read (a case is a few levels deep)"
        ) from None


def dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
