"""The symptom diary page, behind the result's private link: ``/r/{token}/diary``.

A plain form adds an entry (no JavaScript): every field is checked, by the page and then by the
core, before anything is written, and errors are shown next to their fields with what was typed
kept. The page shows the triage with the diary taken into account (the emergency banner first
when a red flag was logged), the trend in words, both charts as SVG images at addresses of their
own (``/r/{token}/diary/pain.svg``, ``?narrow=1`` for a phone), so that the page does not wait for
them to be drawn, the entries newest first and links to export them.

Browsers send a ``datetime-local`` field without a time zone; so the form asks for the zone by
name ("Europe/London", from the IANA database through ``zoneinfo``, summer time included), and
the page keeps it in its address (``?tz=Europe/London``) so that the next entry and the times
shown use it too. Without a zone in the address the list starts at UTC, and a small script of our
own (``static/tz.js``, the only one) chooses the browser's zone instead when JavaScript is on.
An address from before, with an offset in minutes (``?tz=60``), still works as that offset.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, available_timezones

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from crepitus import kb
from crepitus.diary import (
    assess_with_diary,
    chart_bytes,
    chart_descriptions,
    chart_titles,
    trend_sentences,
)
from crepitus.errors import CaseError
from crepitus.limits import MAX_ACTIVITY, MAX_NOTE
from crepitus.report.view import EMERGENCY_LEVELS, ReportView, build_view
from crepitus.store import Diary, Store, StoredEntry, validate_entries
from crepitus.web._pages import TOKEN, HtmlRoute, root
from crepitus.web._render import PRIVATE_HEADERS, render

__all__ = ["router"]

log = logging.getLogger("crepitus.web")

router = APIRouter(route_class=HtmlRoute, include_in_schema=False)

#: Entries listed on the page, newest first; the exports hold every one.
SHOWN = 100

#: UTC offsets in use around the world, in minutes.
OFFSETS: tuple[int, ...] = tuple(
    sorted(
        {h * 60 for h in range(-12, 15)} | {-570, -210, 210, 270, 330, 345, 390, 525, 570, 630, 765}
    )
)

_FIELD_ORDER = ("at", "tz", "pain", "sound", "activity", "findings", "note")


#: The zone the list starts at when the address names none.
DEFAULT_ZONE = "UTC"
#: The IANA areas people live in (not the legacy aliases such as "US/Eastern" or "Etc/GMT+5").
_AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


def offset_label(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h:02d}:{m:02d}"


@lru_cache(maxsize=1)
def zone_groups() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The form's list: (area, ((zone name, place), ...)), places in alphabetical order."""
    names = available_timezones()
    groups = []
    for area in _AREAS:
        places = sorted(
            (n, n.split("/", 1)[1].replace("_", " ").replace("/", " / "))
            for n in names
            if n.startswith(area + "/")
        )
        groups.append((area, tuple(sorted(places, key=lambda p: p[1]))))
    return (("", ((DEFAULT_ZONE, "UTC (Coordinated Universal Time)"),)), *groups)


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(n for _, places in zone_groups() for n, _ in places)


def _zone_of(raw: str | None) -> tzinfo | None:
    """The zone a page's ``tz`` value names (or, from an older address, a UTC offset in
    minutes); None if it is neither."""
    raw = (raw or "").strip()
    if raw in _zone_names():
        return ZoneInfo(raw)
    if re.fullmatch(r"-?\d{1,3}", raw) and int(raw) in OFFSETS:
        return timezone(timedelta(minutes=int(raw)))
    return None


def _zone_label(zone: tzinfo, name: str) -> str:
    """ "Europe/London (now UTC+00:00)": the name, and the offset it has today."""
    delta = datetime.now(UTC).astimezone(zone).utcoffset() or timedelta()
    offset = offset_label(int(delta.total_seconds() // 60))
    return offset if isinstance(zone, timezone) else f"{name.replace('_', ' ')} (now {offset})"


def _plain_labels(knowledge: kb.KnowledgeBase) -> dict[str, str]:
    """Each finding in plain words: the interview's short wording, else the question asked."""
    labels = {fid: f.question for fid, f in knowledge.findings.items()}
    for group in knowledge.interview:
        labels.update(group.item_text)
    return labels


def finding_groups(knowledge: kb.KnowledgeBase) -> list[dict[str, Any]]:
    """The diary form's checkboxes (texts.yaml ``diary_groups``), each in plain words."""
    labels = _plain_labels(knowledge)
    return [
        {
            "id": g.id,
            "legend": g.legend,
            "items": [{"id": fid, "label": labels[fid]} for fid in g.findings],
        }
        for g in knowledge.texts.diary_groups
    ]


# --- reading the form ----------------------------------------------------------------------------


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@dataclass(slots=True)
class EntryForm:
    values: dict[str, Any]
    errors: dict[str, str]
    # The contract's entry from the fields that passed the page's checks (None: no usable time).
    entry: dict[str, Any] | None


_MESSAGES = {
    "at": "Enter the date and time, for example 2 November 2026 at 18:30.",
    "at_future": "That time is still to come: enter when it happened.",
    "at_old": "Enter a date after 1900.",
    "tz": "Choose your time zone from the list, for example Europe/London.",
    "pain": "Choose a pain score from 0 to 10, or Not recorded.",
    "sound": "Choose Yes, No or Not sure.",
    "activity": f"Keep what you were doing to {MAX_ACTIVITY} characters or fewer.",
    "findings": "Choose only from the list.",
    "note": f"Keep the note to {MAX_NOTE:,} characters or fewer.",
    "nul": "Remove the invisible control character (NUL) from this text; we have taken it out.",
}


def read_entry(form: FormData, known: set[str]) -> EntryForm:
    """The entry from the form, with what was typed, and errors by field."""
    values: dict[str, Any] = {
        "at": _text(form, "at").strip(),
        "tz": _text(form, "tz").strip(),
        "pain": _text(form, "pain").strip(),
        "sound": _text(form, "sound"),
        # Browsers send line breaks as CRLF; count characters as the person sees them.
        "activity": _text(form, "activity").replace("\r\n", "\n").strip(),
        "findings": [f for f in form.getlist("findings") if isinstance(f, str)],
        "note": _text(form, "note").replace("\r\n", "\n").strip(),
    }
    errors: dict[str, str] = {}
    zone = _zone_of(values["tz"])
    if zone is None:
        errors["tz"] = _MESSAGES["tz"]
        zone = UTC
    at: datetime | None = None
    try:
        at = datetime.fromisoformat(values["at"].replace(" ", "T", 1)) if values["at"] else None
    except ValueError:
        at = None
    if at is None:
        errors["at"] = _MESSAGES["at"]
    elif at.tzinfo is None:
        at = at.replace(tzinfo=zone)
    pain: int | None = None
    if values["pain"]:
        if re.fullmatch(r"\d{1,2}", values["pain"]) and int(values["pain"]) <= 10:
            pain = int(values["pain"])
        else:
            errors["pain"] = _MESSAGES["pain"]
    sound = {"yes": True, "no": False, "": None}.get(values["sound"], "bad")
    if sound == "bad":
        errors["sound"] = _MESSAGES["sound"]
        values["sound"] = ""
    if len(values["activity"]) > MAX_ACTIVITY:
        errors["activity"] = _MESSAGES["activity"]
    if len(values["note"]) > MAX_NOTE:
        errors["note"] = _MESSAGES["note"]
    for key in ("activity", "note"):
        if "\x00" in values[key]:
            # No database can keep it (PostgreSQL refuses it in text): say so by the field.
            errors[key] = _MESSAGES["nul"]
            values[key] = values[key].replace("\x00", "")
    if not set(values["findings"]) <= known:
        errors["findings"] = _MESSAGES["findings"]
        values["findings"] = [f for f in values["findings"] if f in known]
    if at is None:
        return EntryForm(values, errors, None)
    # Built from the fields that passed, so the core can still check the time when others failed.
    findings = [f for f in dict.fromkeys(values["findings"]) if f in known]
    entry: dict[str, Any] = {"at": at.isoformat(), "findings": findings}
    if pain is not None:
        entry["pain"] = pain
    if isinstance(sound, bool):
        entry["sound"] = sound
    if values["activity"] and "activity" not in errors:
        entry["activity"] = values["activity"]
    if values["note"] and "note" not in errors:
        entry["note"] = values["note"]
    return EntryForm(values, errors, entry)


def core_errors(error: CaseError) -> dict[str, str]:
    """The core's problems with one entry (``diary.0.pain``), as messages by form field."""
    out: dict[str, str] = {}
    for p in error.problems:
        parts = p.loc.split(".")
        field = parts[2] if len(parts) > 2 else "at"
        if field == "at" and p.type == "future":
            message = _MESSAGES["at_future"]
        elif field == "at" and p.type == "datetime_too_old":
            message = _MESSAGES["at_old"]
        elif p.type == "nul_char":
            message = _MESSAGES["nul"]
        else:
            message = _MESSAGES.get(field, _MESSAGES["at"])
        out.setdefault(field if field in _MESSAGES else "at", message)
    return out


# --- the page ------------------------------------------------------------------------------------


def _when(at: datetime, zone: tzinfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%a} {local.day} {local:%B %Y}, {local:%H:%M}"


def _entry_view(e: StoredEntry, zone: tzinfo, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "id": e.id,
        "when": _when(e.at, zone),
        "pain": e.pain,
        "sound": {True: "Yes", False: "No", None: None}[e.sound],
        "activity": e.activity,
        "findings": [labels.get(f, f.replace("_", " ")) for f in e.findings],
        "note": e.note,
    }


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _diary(request: Request, token: str) -> Diary:
    if not TOKEN.match(token):
        raise HTTPException(404)
    diary = _store(request).diary(token)
    if diary is None:
        raise HTTPException(404)
    return diary


def _page(
    request: Request,
    token: str,
    diary: Diary,
    tz: str,
    form: EntryForm | None = None,
    added: bool = False,
    status_code: int = 200,
) -> Response:
    knowledge = kb.load()
    assessed = assess_with_diary(diary)
    assessment, trends = assessed.result, assessed.trends
    view: ReportView = build_view(assessment, diary.case, datetime.now(UTC), knowledge)
    emergency = view.level in EMERGENCY_LEVELS
    entries = diary.entries
    # The charts by address: the page does not wait for them to be drawn, and a phone fetches
    # only its own. "v" changes with the diary, so a browser never shows an older drawing.
    charts_at = f"{root(request)}/r/{quote(token, safe='')}/diary"
    v = f"{len(entries)}-{entries[-1].id if entries else 0}"
    words = chart_descriptions(entries, trends) if entries else {}
    titles = chart_titles(trends)
    drawn = [
        {
            "title": titles[kind],
            "src": f"{charts_at}/{kind}.svg?v={v}",
            "phone_src": f"{charts_at}/{kind}.svg?v={v}&narrow=1",
            "alt": words[kind],
        }
        for kind in (("pain", "clicks") if entries else ())
    ]
    labels = {fid: f.label for fid, f in knowledge.findings.items()}
    plain = _plain_labels(knowledge)
    zone = _zone_of(tz) or UTC
    zone_name = _zone_label(zone, tz)
    shown = [_entry_view(e, zone, plain) for e in reversed(entries[-SHOWN:])]
    red_flags = sorted(
        {labels.get(f, f) for e in entries for f in e.findings if _red(knowledge, f)}
    )
    now_local = datetime.now(UTC).astimezone(zone)
    if form is None:
        form = EntryForm(
            values={
                "at": f"{now_local:%Y-%m-%dT%H:%M}",
                "tz": tz,
                "pain": "",
                "sound": "",
                "activity": "",
                "findings": [],
                "note": "",
            },
            errors={},
            entry=None,
        )
    here = root(request)
    base = f"{here}/r/{quote(token, safe='')}"
    return render(
        request,
        "diary.html",
        status_code=status_code,
        view=view,
        emergency=emergency,
        top_reasons=[r for r in view.reasons if r.level == view.level],
        trend_words=trend_sentences(trends),
        charts=drawn,
        entries=shown,
        total=len(entries),
        shown_limit=SHOWN,
        red_flags=red_flags,
        groups=finding_groups(knowledge),
        values=form.values,
        errors={k: form.errors[k] for k in _FIELD_ORDER if k in form.errors},
        zone_groups=zone_groups(),
        # An older address's offset is kept as an option of its own, so it stays chosen.
        legacy_zone=None if tz in _zone_names() else (tz, zone_name),
        zone_name=zone_name,
        tz=quote(tz, safe=""),
        # Without a zone in the address, the script may choose the browser's.
        guess_zone=request.query_params.get("tz") is None,
        added=added,
        result_url=base,
        safety_href=f"{base}#safety-title",
        form_url=f"{base}/diary?tz={quote(tz, safe='')}",
        delete_url=f"{base}/diary/entries",
        csv_url=f"{here}/v1/diary/{quote(token, safe='')}/export.csv",
        json_url=f"{here}/v1/diary/{quote(token, safe='')}/export.json",
        max_activity=MAX_ACTIVITY,
        max_note=MAX_NOTE,
    )


def _red(knowledge: kb.KnowledgeBase, fid: str) -> bool:
    f = knowledge.findings.get(fid)
    return f is not None and f.red_flag


def _tz(request: Request) -> str:
    """The zone the address names, if it is one we know; else UTC."""
    raw = (request.query_params.get("tz") or "").strip()
    return raw if _zone_of(raw) is not None else DEFAULT_ZONE


@router.get("/r/{token}/diary", name="diary")
def diary_page(request: Request, token: str) -> Response:
    diary = _diary(request, token)
    added = request.query_params.get("added") == "1"
    return _page(request, token, diary, _tz(request), added=added)


@router.get("/r/{token}/diary/{kind}.svg", name="diary_chart")
def diary_chart(request: Request, token: str, kind: str) -> Response:
    """One chart of the diary as SVG (``?narrow=1``: drawn for a phone's width)."""
    if kind not in ("pain", "clicks"):
        raise HTTPException(404)
    diary = _diary(request, token)
    if not diary.entries:
        raise HTTPException(404)
    narrow = request.query_params.get("narrow") == "1"
    svg = chart_bytes(diary.entries, "pain" if kind == "pain" else "clicks", "svg", narrow)
    return Response(svg, media_type="image/svg+xml", headers=PRIVATE_HEADERS)


@router.post("/r/{token}/diary", name="diary_add")
async def diary_add(request: Request, token: str) -> Response:
    form = await request.form()
    return await _add(request, token, form)


async def _add(request: Request, token: str, form: FormData) -> Response:
    from starlette.concurrency import run_in_threadpool

    diary = await run_in_threadpool(_diary, request, token)
    known = set(kb.load().findings)
    entry = read_entry(form, known)
    tz = entry.values["tz"] if _zone_of(entry.values["tz"]) is not None else _tz(request)
    if entry.entry is not None and entry.errors:
        # Nothing is written; the core still names what else is wrong (a time in the future).
        try:
            validate_entries([entry.entry])
        except CaseError as exc:
            for field, message in core_errors(exc).items():
                entry.errors.setdefault(field, message)
    elif entry.entry is not None:
        try:
            added = await run_in_threadpool(_store(request).add_diary_entries, token, [entry.entry])
        except CaseError as exc:
            # Where, not what: a problem's message may quote the person's note.
            log.info("diary form refused by the core: %s", [p.loc for p in exc.problems])
            entry.errors.update(core_errors(exc))
        else:
            if added is None:
                raise HTTPException(404)
            where = f"{root(request)}/r/{quote(token, safe='')}/diary"
            location = f"{where}?tz={quote(tz, safe='')}&added=1"
            # No #fragment: the page must open at its top, where an emergency banner would be.
            return RedirectResponse(location, status_code=303)
    return await run_in_threadpool(_page, request, token, diary, tz, entry, False, 422)


@router.post("/r/{token}/diary/entries/{entry_id}/delete", name="diary_delete")
def diary_delete(request: Request, token: str, entry_id: int) -> Response:
    if not TOKEN.match(token) or not _store(request).delete_diary_entry(token, entry_id):
        raise HTTPException(404)
    tz = quote(_tz(request), safe="")
    location = f"{root(request)}/r/{quote(token, safe='')}/diary?tz={tz}"
    return RedirectResponse(location, status_code=303)
