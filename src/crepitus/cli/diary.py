"""`crepitus diary add | list | chart | export | import | assess | delete`: a local symptom diary.

The diary is kept in the same database as the service (``CREPITUS_DATABASE_URL``, or the default
SQLite file in the user's data folder) as the local diary ``default``, which no assessment owns.
Every entry is checked by the core before anything is written, and a command writes all of its
entries or none. Files are written whole or not at all (a temporary file, then a rename).

Heavy imports (SQLAlchemy, matplotlib, the core) happen inside the commands, so that importing
this module, which every start of the command line does, costs nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crepitus.cli._common import UsageProblem, dump, load_json, make_console, read_source
from crepitus.errors import CaseError

if TYPE_CHECKING:
    from crepitus.store import Store, StoredEntry

__all__ = ["ChartKind", "ExportFormat", "diary_app"]

diary_app = typer.Typer(
    help="Your symptom diary, kept on this computer: add, list, chart, export, import, assess.",
    no_args_is_help=True,
)

# The core names a field of the one entry `add` makes as diary.0.FIELD; the user typed an option.
_OPTIONS = {
    "at": "--at",
    "pain": "--pain",
    "sound": "--sound",
    "activity": "--activity",
    "findings": "--finding",
    "note": "--note",
}


class ChartKind(StrEnum):
    pain = "pain"
    clicks = "clicks"


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def _fail(message: str, status: int) -> typer.Exit:
    sys.stderr.write(f"crepitus: error: {' '.join(message.split())}\n")
    return typer.Exit(status)


@contextmanager
def _store() -> Iterator[Store]:
    """The database of CREPITUS_DATABASE_URL (or the default file), migrated; closed after."""
    from sqlalchemy.exc import SQLAlchemyError

    from crepitus.settings import get_settings
    from crepitus.store import Store

    try:
        url = get_settings().database_url
        store = Store(url)
    except ValueError as exc:  # an unsupported URL scheme, named by normalise_url
        raise UsageProblem(f"CREPITUS_DATABASE_URL: {exc}") from None
    except (SQLAlchemyError, OSError) as exc:
        # Not a bug and not the user's input: the database is unreachable or unwritable.
        raise _fail(
            f"cannot open the diary's database ({type(exc).__name__}); check CREPITUS_DATABASE_URL",
            1,
        ) from None
    try:
        yield store
    except SQLAlchemyError as exc:
        raise _fail(f"the diary's database failed ({type(exc).__name__})", 1) from None
    finally:
        store.close()


def _local() -> Any:
    from crepitus.store import LocalDiary

    return LocalDiary()


def _entries(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"


def _when(at: datetime) -> str:
    """An entry's time in the computer's own time zone."""
    local = at.astimezone()
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} {local.tzname() or ''}".rstrip()


def _option_names(error: CaseError) -> str:
    from crepitus.errors import Problem

    renamed = []
    for p in error.problems:
        parts = p.loc.split(".")
        field = parts[2] if len(parts) > 2 and parts[0] == "diary" else ""
        renamed.append(Problem(_OPTIONS.get(field, p.loc), p.msg, p.type))
    return "; ".join(str(p) for p in renamed)


def _write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole: a reader never finds half a file, a failure leaves none."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise UsageProblem(f"{path}: its folder does not exist")
    if path.is_dir():
        raise UsageProblem(f"{path}: is a folder")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageProblem(f"{path}: cannot write ({exc.strerror})") from None


@diary_app.command("add")
def add(
    at: Annotated[
        str | None,
        typer.Option(
            metavar="ISO",
            help="When, ISO 8601 (default: now). Without a zone: this computer's local time.",
        ),
    ] = None,
    pain: Annotated[
        int | None, typer.Option(metavar="0-10", help="Pain score: 0 none, 10 worst imaginable.")
    ] = None,
    sound: Annotated[
        bool | None,
        typer.Option("--sound/--no-sound", help="Whether your back clicked, cracked or popped."),
    ] = None,
    activity: Annotated[str | None, typer.Option(help="What you were doing.")] = None,
    finding: Annotated[
        list[str] | None,
        typer.Option(
            "--finding",
            metavar="ID",
            help="A finding you noticed, e.g. leg_tingling (repeat for more; see 'crepitus kb').",
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note.")] = None,
) -> None:
    """Add an entry to your diary."""
    from datetime import UTC

    when: str
    if at is None:
        when = datetime.now(UTC).isoformat()
    else:
        try:
            parsed = datetime.fromisoformat(at)
        except ValueError:
            when = at  # the core names what is wrong with it
        else:
            # A time typed without a zone is the time on this computer's clock.
            when = (parsed if parsed.tzinfo else parsed.astimezone()).isoformat()
    entry: dict[str, Any] = {"at": when, "findings": list(finding or [])}
    for key, value in (("pain", pain), ("sound", sound), ("activity", activity), ("note", note)):
        if value is not None:
            entry[key] = value
    with _store() as store:
        try:
            result = store.add_diary_entries(_local(), [entry])
        except CaseError as exc:
            raise UsageProblem(_option_names(exc)) from None
    assert result is not None  # a local diary always exists
    (e,) = result.added
    bits = [_when(e.at)]
    if e.pain is not None:
        bits.append(f"pain {e.pain}")
    if e.sound is not None:
        bits.append("clicked" if e.sound else "no click")
    print(f"Added entry {e.id}: {', '.join(bits)}. Your diary has {_entries(result.total)}.")


@diary_app.command("list")
def list_entries(
    as_json: Annotated[bool, typer.Option("--json", help="Print the entries as JSON.")] = False,
) -> None:
    """List your diary's entries, oldest first."""
    with _store() as store:
        diary = store.diary(_local())
    assert diary is not None
    if as_json:
        sys.stdout.write(dump({"entries": [e.as_dict() for e in diary.entries]}) + "\n")
        return
    if not diary.entries:
        print("Your diary is empty. Add an entry with: crepitus diary add --pain 3 --sound")
        return
    _print_table(diary.entries)


def _print_table(entries: list[StoredEntry]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Your symptom diary ({_entries(len(entries))})", title_justify="left")
    for name in ("Id", "When", "Pain", "Clicked", "Doing", "Noticed", "Note"):
        table.add_column(name, justify="right" if name in {"Id", "Pain"} else "left")
    for e in entries:
        table.add_row(
            str(e.id) if e.id is not None else "-",
            _when(e.at),
            "-" if e.pain is None else str(e.pain),
            {True: "yes", False: "no", None: "-"}[e.sound],
            escape(e.activity or ""),
            escape(", ".join(e.findings)),
            escape(e.note or ""),
        )
    make_console().print(table)


@diary_app.command("chart")
def chart(
    out: Annotated[Path, typer.Option("--out", metavar="FILE.png", help="Where to write it.")],
    kind: Annotated[
        ChartKind, typer.Option(help="pain: pain over time; clicks: clicks per week.")
    ] = ChartKind.pain,
) -> None:
    """Draw a chart of your diary as a PNG image (no browser needed)."""
    from crepitus.diary import chart_bytes

    if not out.resolve().parent.is_dir():
        raise UsageProblem(f"{out}: its folder does not exist")
    with _store() as store:
        diary = store.diary(_local())
    assert diary is not None
    png = chart_bytes(diary.entries, kind.value, "png")
    _write_file(out, png)
    what = "pain over time" if kind is ChartKind.pain else "clicks per week"
    print(f"Wrote {out} ({what}, from {_entries(len(diary.entries))}).")


@diary_app.command("export")
def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="json (for import) or csv (spreadsheets).")
    ] = ExportFormat.json,
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write here (default: stdout).")
    ] = None,
) -> None:
    """Export your diary as JSON or CSV, oldest entry first."""
    from crepitus.diary import export as export_file

    with _store() as store:
        diary = store.diary(_local())
    assert diary is not None
    data = export_file(diary.entries, fmt.value).body
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    _write_file(out, data)
    print(f"Wrote {_entries(len(diary.entries))} to {out}.", file=sys.stderr)


@diary_app.command("import")
def import_entries(
    source: Annotated[
        str,
        typer.Argument(metavar="FILE", help="A JSON export of a diary; - reads stdin."),
    ],
) -> None:
    """Import a JSON export into your diary: all of it or nothing; entries already there skipped."""
    from crepitus.diary import import_entries as import_export

    where = "stdin" if source == "-" else source
    data = load_json(read_source(source), where)
    with _store() as store:
        try:
            result = import_export(store, _local(), data)
        except CaseError as exc:
            raise UsageProblem(f"{where}: {exc}") from None
    assert result is not None
    skipped = f" ({result.skipped} already in your diary)" if result.skipped else ""
    added, total = _entries(len(result.added)), _entries(result.total)
    print(f"Imported {added}{skipped}. Your diary has {total}.")


@diary_app.command("assess")
def assess(
    case_in: Annotated[
        str | None,
        typer.Option(
            "--case",
            metavar="FILE",
            help="Also use a case (JSON: age, sex, text, evidence) with the diary.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON.")] = False,
) -> None:
    """Assess your diary (and a case, if given): triage, reasons and a care plan."""
    from crepitus.diary import assess_with_diary, trend_sentences

    case: dict[str, Any] = {}
    if case_in is not None:
        loaded = load_json(read_source(case_in), "stdin" if case_in == "-" else case_in)
        if not isinstance(loaded, dict):
            raise UsageProblem(f"{case_in}: a case must be a JSON object")
        case = loaded
    with _store() as store:
        diary = store.diary(_local())
    assert diary is not None
    # The case's own diary entries, if any, are assessed together with the local diary's.
    assessed = assess_with_diary(diary, case)
    result = assessed.result
    if as_json:
        sys.stdout.write(dump(result) + "\n")
        return
    from rich.text import Text

    from crepitus.cli.report import render_assessment

    console = make_console()
    console.print(Text("Your symptom diary", style="bold underline"))
    for sentence in trend_sentences(assessed.trends):
        console.print(Text(f"• {sentence}"))
    console.print()
    render_assessment(result, console)


@diary_app.command("delete")
def delete(
    entry_id: Annotated[int, typer.Argument(metavar="ID", help="The entry's id ('diary list').")],
) -> None:
    """Delete one entry from your diary."""
    with _store() as store:
        deleted = store.delete_diary_entry(_local(), entry_id)
    if not deleted:
        raise UsageProblem(f"ID: your diary has no entry {entry_id} (see 'crepitus diary list')")
    print(f"Deleted entry {entry_id}.")
