"""The command line: `crepitus assess | parse | interview | kb | diary | demo | serve`.

Every failure a user can cause ends with one line on stderr and exit status 2; anything else is a
bug and ends with one line and status 1. No traceback is printed (set CREPITUS_DEBUG=1 to see it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from crepitus.cli._common import UsageProblem, dump, load_json, make_console, read_source
from crepitus.cli.diary import diary_app
from crepitus.errors import CaseError

__all__ = ["app", "main"]

app = typer.Typer(
    name="crepitus",
    help="Triage, possible causes and a care plan for a lower back that clicks, cracks or pops.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="Check and browse the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
# The diary's commands keep their heavy imports inside each command (cli/diary.py).
app.add_typer(diary_app, name="diary")


def _assess(case: Any) -> dict[str, Any]:
    import crepitus

    return crepitus.assess(case)


@app.command()
def assess(
    text: Annotated[
        str | None, typer.Argument(help="Describe your back in your own words.")
    ] = None,
    json_in: Annotated[
        str | None,
        typer.Option(
            "--json", metavar="FILE", help="Read a case (JSON) from FILE or - (stdin); print JSON."
        ),
    ] = None,
    jsonl_in: Annotated[
        str | None,
        typer.Option(
            "--jsonl", metavar="FILE", help="Read one case per line; print one assessment per line."
        ),
    ] = None,
    case_in: Annotated[
        str | None,
        typer.Option(
            "--case", metavar="FILE", help="Read a case (JSON) and print a report for a person."
        ),
    ] = None,
    age: Annotated[
        int | None, typer.Option(min=0, max=120, help="Age in years (with TEXT).")
    ] = None,
    sex: Annotated[str | None, typer.Option(help="female, male or other (with TEXT).")] = None,
    subject: Annotated[
        str | None,
        typer.Option(
            metavar="self|other",
            help="Whom TEXT is about: self (the default) or other (you write for someone else).",
        ),
    ] = None,
    for_someone_else: Annotated[
        bool,
        typer.Option(
            "--for-someone-else", help="TEXT is about someone else (same as --subject other)."
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--as-json", help="With TEXT or --case: print JSON.")
    ] = False,
) -> None:
    """Assess a case: triage level, reasons, possible causes and a care plan."""
    chosen = [x for x in (text, json_in, jsonl_in, case_in) if x is not None]
    if len(chosen) != 1:
        raise UsageProblem("give exactly one of TEXT, --json FILE, --jsonl FILE or --case FILE")
    if for_someone_else:
        if subject not in (None, "other"):
            raise UsageProblem("--for-someone-else and --subject self contradict each other")
        subject = "other"
    if text is None:
        given = [
            name
            for name, value in (("--age", age), ("--sex", sex), ("--subject", subject))
            if value is not None
        ]
        if given:
            raise UsageProblem(
                f"{' and '.join(given)} {'goes' if len(given) == 1 else 'go'} with TEXT; "
                f"with a case file, put {'it' if len(given) == 1 else 'them'} in the case"
            )
    if jsonl_in is not None:
        # Validate every line before writing anything, so a bad line leaves no partial output.
        results = []
        for n, line in enumerate(read_source(jsonl_in).splitlines(), 1):
            if not line.strip():
                continue
            case = load_json(line, f"line {n}")
            try:
                results.append(_assess(case))
            except CaseError as exc:
                raise UsageProblem(f"line {n}: {exc}") from None
        sys.stdout.write("".join(dump(r) + "\n" for r in results))
        return
    if json_in is not None or case_in is not None:
        src = json_in if json_in is not None else case_in
        assert src is not None
        case = load_json(read_source(src), "stdin" if src == "-" else src)
    else:
        from crepitus.engine.case import new_case

        case = new_case(age, sex, text, subject)
    result = _assess(case)
    if json_in is not None or as_json:
        sys.stdout.write(dump(result) + "\n")
        return
    from crepitus.cli.report import render_assessment

    render_assessment(result, make_console())


@app.command()
def parse(
    text: Annotated[
        str, typer.Argument(help="Text to read, e.g. 'no numbness but my foot tingles'.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Show which findings a text mentions, and how (present, denied, past, someone else's...)."""
    from crepitus import language

    mentions = language.parse(text)
    if as_json:
        out = {"findings": mentions, "demographics": language.demographics(text)}
        sys.stdout.write(dump(out) + "\n")
        return
    from crepitus.cli.parse_view import render_parse

    render_parse(text, mentions, make_console())


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Run the web page and the HTTP API (database: CREPITUS_DATABASE_URL, default SQLite)."""
    from crepitus.api.serve import ServeError
    from crepitus.api.serve import serve as run

    try:
        run(host=host, port=port, workers=workers)
    except ServeError as exc:
        _fail(str(exc), 1)


@app.command()
def interview(
    transcript: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Save the questions, answers and result as JSON."),
    ] = None,
) -> None:
    """Answer a few questions, one at a time, and get your report."""
    from crepitus.cli.interview import Stopped, run_interview

    if transcript is not None and not transcript.resolve().parent.is_dir():
        raise UsageProblem(f"{transcript}: its folder does not exist")
    try:
        run_interview(make_console(), transcript)
    except (Stopped, KeyboardInterrupt):
        sys.stderr.write("\ncrepitus: interview stopped; nothing was saved.\n")
        raise typer.Exit(130) from None


@kb_app.command("check")
def kb_check() -> None:
    """Validate the knowledge base: every id defined, every reference and source resolving."""
    from crepitus import kb

    try:
        k = kb.load()
    except kb.KnowledgeError as exc:
        err = make_console(stderr=True)
        err.print(f"knowledge base is INVALID ({len(exc.problems)} problems):")
        for p in exc.problems:
            err.print(f"  - {p}", markup=False)
        raise typer.Exit(1) from None
    print(
        f"knowledge base {k.version} is valid: {len(k.sources)} sources, "
        f"{len(k.findings)} findings, {len(k.conditions)} conditions, {len(k.rules)} rules, "
        f"{len(k.exercises)} exercises, {len(k.advice)} advice items, "
        f"{sum(len(e.terms) for e in k.lexicon.values())} lexicon terms"
    )


@kb_app.command("show")
def kb_show(
    item_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="Any finding, condition, rule, source, exercise or advice id."
        ),
    ],
) -> None:
    """Show one knowledge-base entry (finding, condition, rule, source, exercise or advice)."""
    import yaml

    from crepitus import kb
    from crepitus.engine.case import suggest

    k = kb.load()
    tables: dict[str, dict[str, Any]] = {
        "finding": dict(k.findings),
        "condition": dict(k.conditions),
        "rule": {r.id: r for r in k.rules},
        "source": dict(k.sources),
        "exercise": dict(k.exercises),
        "advice": {a.id: a for a in k.advice},
    }
    for kind, table in tables.items():
        if item_id in table:
            data = table[item_id].model_dump(mode="json", exclude_none=True)
            if kind == "finding" and item_id in k.lexicon:
                data["lexicon"] = list(k.lexicon[item_id].terms)
            print(f"# {kind}")
            print(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), end="")
            return
    every = [i for t in tables.values() for i in t]
    hint = suggest(item_id, every)
    raise UsageProblem(
        f"no knowledge-base entry '{item_id}'" + (f"; did you mean '{hint}'?" if hint else "")
    )


@kb_app.command("rules")
def kb_rules(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="table|markdown|json",
            help="table (for the terminal), markdown (for the documentation) or json.",
        ),
    ] = "table",
) -> None:
    """List every triage rule: level, condition, sources, decision and rationale."""
    from crepitus import kb
    from crepitus.cli import rules_view

    if fmt not in ("table", "markdown", "json"):
        raise UsageProblem(f"--format: must be table, markdown or json (got {fmt!r})")
    k = kb.load()
    if fmt == "json":
        sys.stdout.write(dump(rules_view.render_json(k)) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(rules_view.render_markdown(k))
    else:
        console = make_console()
        console.print(rules_view.render_table(k, console.width))


def _demo_case(age: int, sex: str, present: list[str], absent: list[str]) -> dict[str, Any]:
    evidence = [{"id": f, "present": True} for f in present]
    evidence += [{"id": f, "present": False} for f in absent]
    return {"age": age, "sex": sex, "evidence": evidence}


DEMO_CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "Painless clicking after sitting",
        _demo_case(
            34,
            "male",
            ["sound_after_sitting", "relief_after_crack", "sedentary"],
            ["pain", "leg_numbness", "bladder_dysfunction"],
        ),
    ),
    (
        "A pop and an ache after lifting (a strain)",
        _demo_case(
            45,
            "female",
            ["back_sound", "pain_after_sudden_move", "muscle_spasm"],
            ["pain_below_knee", "leg_weakness"],
        ),
    ),
    (
        "Sciatica after deadlifts",
        _demo_case(
            41,
            "male",
            ["sound_bending", "pain_below_knee", "leg_tingling"],
            ["leg_weakness", "bilateral_leg_symptoms"],
        ),
    ),
    (
        "Clicking with new bladder trouble and numbness between the legs",
        _demo_case(
            52, "male", ["back_sound", "pain", "bladder_dysfunction", "saddle_numbness"], []
        ),
    ),
]


@app.command()
def demo() -> None:
    """Assess a few example people and print their reports."""
    from rich.rule import Rule

    from crepitus.cli.report import render_assessment

    console = make_console()
    for title, case in DEMO_CASES:
        console.print(Rule(f"[bold]{title}[/bold]"))
        render_assessment(_assess(case), console)
        console.print()


def _fail(msg: str, status: int) -> NoReturn:
    # One line, always: collapse newlines so scripts can rely on it.
    sys.stderr.write(f"crepitus: error: {' '.join(msg.split())}\n")
    raise SystemExit(status)


def _check_argv(args: list[str]) -> None:
    """Every argument must be UTF-8 text: Python hands bytes that are not as lone surrogates
    (surrogateescape), which nothing downstream can encode again."""
    for n, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape")
            shown = repr(raw)[2:-1]
            raise UsageProblem(
                f"argument {n} ('{shown:.60}') is not UTF-8 text; crepitus reads UTF-8 only"
            ) from None


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app and turn every failure into one clean line."""
    from crepitus import startup_cache
    from crepitus.kb import KnowledgeError

    # The reader is loaded from the user's cache when it matches this install (a cold start).
    startup_cache.install()
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        _check_argv(args)
        status = app(args=args, standalone_mode=False)
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except (UsageProblem, CaseError) as exc:
        _fail(str(exc), 2)
    except KnowledgeError as exc:
        _fail(f"the knowledge base is invalid: {exc.problems[0]} (run 'crepitus kb check')", 1)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        raise SystemExit(130) from None
    except typer.Abort:
        sys.stderr.write("\n")
        raise SystemExit(130) from None
    except Exception as exc:
        # Typer's own (vendored click) usage errors: duck-typed, as their module is private.
        code = getattr(exc, "exit_code", None)
        format_message = getattr(exc, "format_message", None)
        if callable(format_message) and isinstance(code, int):
            if type(exc).__name__ == "NoArgsIsHelpError":
                print(format_message())
                raise SystemExit(0) from None
            _fail(str(format_message()), code)
        if os.environ.get("CREPITUS_DEBUG"):
            raise
        _fail(f"internal error ({type(exc).__name__}); please report it", 1)
    # With standalone_mode off, click returns the status of typer.Exit instead of raising it.
    if isinstance(status, int) and status:
        raise SystemExit(status)
