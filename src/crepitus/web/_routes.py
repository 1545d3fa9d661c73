"""The patient pages: start, the interview (one question at a time), the result and its PDF.

Everything works without JavaScript. Each answer is a plain form POST carrying the interview
state in a hidden field (see ``_state``); it redirects (303) to the next question's own address,
``/interview/N?s=SEALED``, with the state sealed into it (``_seal``), so that Back, Forward and
reload fetch pages instead of re-sending forms. Nothing is stored until the interview ends; then
the assessment is saved and the person is redirected to its private link.

Questions come in four kinds (``question.kind``): ordinary questions; "confirm", which quotes
what the person wrote about a red flag (with a short warning first when those words already read
as an emergency); "recheck", a second concrete asking after "not sure" whose answers are stored
with ``"recheck": true``; and "age", shown as a number box that sets the case's ``age``. A
provisional result offers ``/r/{token}/answer``, which carries the interview on from its case.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

import crepitus
from crepitus import kb
from crepitus.diary import assess_with_diary, charts
from crepitus.engine.case import new_case, validate_case
from crepitus.errors import CaseError
from crepitus.limits import MAX_TEXT
from crepitus.report.view import EMERGENCY_LEVELS, build_view
from crepitus.settings import private_link
from crepitus.web import _state
from crepitus.web._pages import TOKEN, HtmlRoute, root
from crepitus.web._render import PRIVATE_HEADERS, render
from crepitus.web._seal import Sealer
from crepitus.web._state import InterviewState, StateError

__all__ = ["router"]

log = logging.getLogger("crepitus.web")

_SEXES = {"female": "Female", "male": "Male", "other": "Other"}
_SUBJECTS = {"self": "Me", "other": "Someone else (I'm answering for them)"}
_KINDS = frozenset({"question", "confirm", "recheck", "check", "age"})
_CLINIC_LEVELS = frozenset({"consultation", "consultation_24"})
#: A check item's reading, as the answer it pre-fills.
_READ_AS = {"present": "yes", "absent": "no", "uncertain": "unsure"}
#: On a self-care result, the warning signs shown before the rest are folded (whole groups).
SAFETY_SHOWN = 4


router = APIRouter(route_class=HtmlRoute, include_in_schema=False)


# --- start ---------------------------------------------------------------------------------------


def _start_page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "start.html",
        status_code=status_code,
        # The empty start page is public; once it holds what someone typed, it is private.
        private=bool(values),
        values=values or {"age": "", "sex": "", "subject": "", "text": ""},
        errors=errors or {},
        sexes=_SEXES,
        subjects=_SUBJECTS,
        max_text=MAX_TEXT,
    )


@router.get("/", name="start")
async def start(request: Request) -> Response:
    sealed = request.query_params.get("s")
    if not sealed:
        return _start_page(request)
    # Back from the first question: the start form again, as it was filled in.
    state, _ = (await _sealer(request)).open(sealed)
    return _start_page(request, _start_values(state.case))


def _start_values(case: Mapping[str, Any]) -> dict[str, str]:
    return {
        "age": str(case["age"]) if case.get("age") is not None else "",
        "sex": str(case.get("sex") or ""),
        "subject": str(case.get("subject") or ""),
        "text": str(case.get("text") or ""),
    }


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _read_start(form: FormData) -> tuple[dict[str, Any] | None, dict[str, str], dict[str, str]]:
    """(case or None, the values as typed, errors by field) from the start form."""
    # Browsers send textarea line breaks as CRLF; count characters as the person sees them.
    values = {
        "age": _field(form, "age").strip(),
        "sex": _field(form, "sex"),
        "subject": _field(form, "subject"),
        "text": _field(form, "text").replace("\r\n", "\n").strip(),
    }
    errors: dict[str, str] = {}
    if values["subject"] and values["subject"] not in _SUBJECTS:
        errors["subject"] = "Choose whether this is about you or someone else."
        values["subject"] = ""
    age: int | None = None
    if values["age"]:
        age = _read_age(values["age"])
        if age is None:
            errors["age"] = "Enter your age as a whole number from 0 to 120, or leave it empty."
    if values["sex"] and values["sex"] not in _SEXES:
        errors["sex"] = "Choose female, male, other or prefer not to say."
        values["sex"] = ""
    if len(values["text"]) > MAX_TEXT:
        errors["text"] = f"Your description is too long: keep it under {MAX_TEXT:,} characters."
    if errors:
        return None, values, errors
    case = new_case(age, values["sex"] or None, values["text"], values["subject"] or None)
    return case, values, errors


def _read_age(value: str) -> int | None:
    """A typed age, or None if it is not a whole number from 0 to 120."""
    value = value.strip()
    if re.fullmatch(r"\d{1,3}", value) and int(value) <= 120:
        return int(value)
    return None


# --- the interview -------------------------------------------------------------------------------


def _question_page(
    request: Request,
    state: InterviewState,
    step: dict[str, Any],
    chosen: Mapping[str, _state.Answer | int] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    typed_age: str | None = None,
) -> Response:
    question: dict[str, Any] = step["question"]
    kind = _kind(question)
    shown: dict[str, str] = {}
    if kind == "check" and not chosen:
        # Pre-filled with what the words said: the person changes only what we got wrong.
        shown = {str(i["id"]): _READ_AS[str(i["read"])] for i in question.get("items") or []}
    for key, value in (chosen or {}).items():
        if key == _state.AGE_STEP:
            shown["age"] = str(value)
        elif not isinstance(value, int) or isinstance(value, bool):
            shown[key] = _state.radio_value(value)
    if typed_age is not None:
        shown["age"] = typed_age
    return render(
        request,
        "question.html",
        progress=_progress(state, question, kind),
        status_code=status_code,
        question=question,
        kind=kind,
        # What the person wrote may be an emergency: say so before asking them to check it;
        # once answers make it one, say what to do before the one question that is left.
        urgent=step.get("level") in EMERGENCY_LEVELS,
        items=list(question.get("items") or []),
        state=_state.encode(state),
        step=len(state.steps) + 1,
        chosen=shown,
        errors=errors or {},
    )


def _progress(state: InterviewState, question: Mapping[str, Any], kind: str) -> str:
    """Where the person is: the warning signs come first, in a known number of pages."""
    if kind == "confirm":
        return "First, checking what you wrote"
    if kind == "check":
        return "Checking what we understood"
    if kind == "recheck":
        return "Warning signs: asking again in other words"
    knowledge = kb.load()
    age_known = state.case.get("age") is not None
    screen = [g.id for g in knowledge.interview if g.screen and not (g.kind == "age" and age_known)]
    group = question.get("group")
    if group in screen:
        return f"Warning signs, part {screen.index(group) + 1} of {len(screen)}"
    return "Warning signs done: a few questions to understand the clicking"


def _kind(question: Mapping[str, Any]) -> str:
    kind = str(question.get("kind") or "question")
    return kind if kind in _KINDS else "question"


#: The check of what was read comes after at most a confirmation and a second asking: past
#: this many pages an ordinary question has been shown, so it has been and gone.
_CHECK_BY = 2


def _next_step(state: InterviewState) -> dict[str, Any] | None:
    """The next interview step (with its question), or None when it is time to assess.

    After the red flags read from the words are confirmed (and any "not sure" asked again),
    and unless it is an emergency, one page shows the rest of what was read, to correct. Past
    ``MAX_STEPS`` pages it is time to assess whatever is known (a safety stop)."""
    if len(state.steps) >= _state.MAX_STEPS:
        return None
    case = state.case
    step = crepitus.next_question(case)
    question = step.get("question")
    kind = question.get("kind") if isinstance(question, dict) else None
    early = len(state.steps) <= _CHECK_BY
    if early and kind not in ("confirm", "recheck") and step.get("level") not in EMERGENCY_LEVELS:
        check = crepitus.understood(case)
        if check is not None:
            return {"should_stop": False, "question": check, "level": step.get("level")}
    if step.get("should_stop") or not isinstance(question, dict) or not question.get("items"):
        return None
    return step


def _finish(case: dict[str, Any], store: Any) -> str:
    result = crepitus.assess(case)
    token: str = store.save_assessment(case, result)
    return token


async def _sealer(request: Request) -> Sealer:
    """The app's sealer, made on first use from the configured key or the database's."""
    sealer: Sealer | None = getattr(request.app.state, "sealer", None)
    if sealer is None:
        settings = getattr(request.app.state, "settings", None)
        secret = getattr(settings, "secret_key", None)
        key = (
            secret.get_secret_value()
            if secret is not None
            else await run_in_threadpool(request.app.state.store.site_key, "interview")
        )
        sealer = request.app.state.sealer = Sealer.from_secret(key)
    return sealer


async def _advance(
    request: Request, state: InterviewState, chosen: _state.Chosen | None = None
) -> Response:
    """After an answer: a redirect to the next question's own address, or to the result."""
    step = await run_in_threadpool(_next_step, state)
    if step is None:
        return await _to_result(request, state)
    sealed = (await _sealer(request)).seal(state, chosen)
    if sealed is None:
        # Too long to be an address (a very long description): the form carries it.
        return _question_page(request, state, step, chosen=chosen)
    return RedirectResponse(_step_url(request, state, sealed), status_code=303)


def _step_url(request: Request, state: InterviewState, sealed: str) -> str:
    return f"{root(request)}/interview/{len(state.steps) + 1}?s={quote(sealed, safe='')}"


async def _to_result(request: Request, state: InterviewState) -> Response:
    token = await run_in_threadpool(_finish, state.case, request.app.state.store)
    return RedirectResponse(f"{root(request)}/r/{quote(token, safe='')}", status_code=303)


@router.get("/interview", name="interview_get")
def interview_get(request: Request) -> Response:
    # A bookmark of the form's address: there is no state in it, so start over.
    return RedirectResponse(root(request) + "/", status_code=303)


@router.get("/interview/{number}", name="interview_step")
async def interview_step(request: Request, number: int) -> Response:
    """One question, at its own address: what Back, Forward and reload fetch."""
    sealed = request.query_params.get("s")
    if not sealed:
        return RedirectResponse(root(request) + "/", status_code=303)
    state, chosen = (await _sealer(request)).open(sealed)
    if number != len(state.steps) + 1:
        # The number is for people reading the address; the sealed state is what counts.
        return RedirectResponse(_step_url(request, state, sealed), status_code=303)
    step = await run_in_threadpool(_next_step, state)
    if step is None:
        # Nothing left to ask (the knowledge base changed since): one button to the result.
        return render(request, "finish.html", state=_state.encode(state))
    return _question_page(request, state, step, chosen=chosen)


@router.post("/interview", name="interview")
async def interview(request: Request) -> Response:
    form = await request.form()
    raw_state = form.get("state")
    if raw_state is None:
        case, values, errors = _read_start(form)
        if case is None:
            return _start_page(request, values, errors, status_code=422)
        try:
            validate_case(case)
        except CaseError:
            log.info("start form gave an invalid case")
            return _start_page(
                request,
                values,
                {"text": "We could not read that. Please check what you typed and try again."},
                status_code=422,
            )
        return await _advance(request, InterviewState(case=case))

    if not isinstance(raw_state, str):
        raise StateError("state is not text")
    state = _state.decode(raw_state)

    if form.get("action") == "finish":
        # At an emergency the person may stop answering at once: show what to do now.
        return await _to_result(request, state)

    if form.get("action") == "back":
        if not state.steps:
            sealed = (await _sealer(request)).seal(state)
            if sealed is None:
                return _start_page(request, _start_values(state.case))
            return RedirectResponse(f"{root(request)}/?s={quote(sealed, safe='')}", status_code=303)
        state, undone = _state.back(state)
        return await _advance(request, state, chosen=undone)

    items = _state.unique(i for i in form.getlist("item") if isinstance(i, str))
    if not items or not all(_state.is_finding_id(i) for i in items):
        raise StateError("the answered items are missing or malformed")
    kind = _field(form, "kind") or "question"
    if kind not in _KINDS:
        raise StateError("the kind of question is malformed")

    if kind == "age":
        typed = _field(form, "age").strip()
        if typed:
            age = _read_age(typed)
            if age is None:
                return await _again(
                    request,
                    state,
                    {"age": "Enter the age as a whole number from 0 to 120, or leave it empty."},
                    typed_age=typed,
                )
            state = _state.answer_age(state, age)
        else:
            # Left empty: the age is not known, and the answers say so ("not sure"), which
            # never counts as "no". The page says that this is what an empty box means.
            state = _state.answer(state, dict.fromkeys(items))
        return await _checked_advance(request, state)

    answers: dict[str, _state.Answer] = {}
    missing: list[str] = []
    for fid in items:
        ok, value = _state.parse_answer(_field(form, f"answer-{fid}"))
        if ok:
            answers[fid] = value
        else:
            missing.append(fid)
    if form.get("action") == "none" and kind == "question":
        # "None of these": every item left unanswered is a no; one answered stays as answered.
        answers.update(dict.fromkeys(missing, False))
        missing = []
    if missing:
        errors = {fid: "Choose Yes, No or Not sure." for fid in missing}
        return await _again(request, state, errors, answers)

    recheck = kind == "recheck"
    if recheck:
        # Asked again only after "not sure": anything else is not a page we wrote.
        before = state.answers
        if not all(fid in before and before[fid] is None for fid in answers):
            raise StateError("a second asking of something not answered 'not sure'")
    state = _state.answer(state, answers, recheck=recheck)
    return await _checked_advance(request, state)


async def _again(
    request: Request,
    state: InterviewState,
    errors: dict[str, str],
    chosen: Mapping[str, _state.Answer | int] | None = None,
    typed_age: str | None = None,
) -> Response:
    """The same question again, with what needs fixing."""
    step = await run_in_threadpool(_next_step, state)
    if step is None:
        return await _advance(request, state)
    return _question_page(
        request, state, step, chosen, errors, status_code=422, typed_age=typed_age
    )


async def _checked_advance(request: Request, state: InterviewState) -> Response:
    try:
        validate_case(state.case)
    except CaseError as exc:
        raise StateError(f"answers gave an invalid case: {exc}") from None
    return await _advance(request, state)


# --- the result ----------------------------------------------------------------------------------


def _stored(request: Request, token: str) -> Any:
    if not TOKEN.match(token):
        raise HTTPException(404)
    stored = request.app.state.store.get_assessment(token)
    if stored is None:
        raise HTTPException(404)
    return stored


def _clinic(request: Request, level: str) -> dict[str, str] | None:
    """The clinic's contact details, shown where the advice is to book an appointment."""
    if level not in _CLINIC_LEVELS:
        return None
    settings = getattr(request.app.state, "settings", None)
    name = getattr(settings, "clinic_name", None) or None
    url = getattr(settings, "booking_url", None) or None
    phone = getattr(settings, "clinic_phone", None) or None
    # Only web links: a configured javascript: URL must never become a link.
    if url and not re.match(r"^https?://", url, re.IGNORECASE):
        url = None
    if not (name or url or phone):
        return None
    out = {"name": name or "", "url": url or "", "phone": phone or ""}
    if phone:
        out["tel"] = re.sub(r"[^\d+]", "", phone)
    return out


def _with_diary(request: Request, token: str, level: str) -> tuple[dict[str, Any] | None, int]:
    """(today's assessment with the diary, when it leads to a more urgent level; how many
    entries the diary has)."""
    diary = request.app.state.store.diary(token)
    if diary is None or not diary.entries:
        return None, 0
    try:
        now = assess_with_diary(diary).result
    except CaseError:
        # A stored case the knowledge base no longer accepts: show the result as it was.
        log.warning("could not assess a stored case with its diary")
        return None, len(diary.entries)
    if kb.level_rank(str(now["triage"]["level"])) <= kb.level_rank(level):
        return None, len(diary.entries)
    return now, len(diary.entries)


@router.get("/r/{token}", name="result")
def result(request: Request, token: str) -> Response:
    stored = _stored(request, token)
    first = build_view(stored.result, stored.case, stored.created_at)
    current, diary_entries = _with_diary(request, token, first.level)
    # When the diary makes it more urgent, the page is today's advice; the first result is
    # history, said once under it.
    view = first if current is None else build_view(current, stored.case, datetime.now(UTC))
    history = None if current is None else {"headline": first.headline, "when": first.created}
    emergency = view.level in EMERGENCY_LEVELS
    top_reasons = [r for r in view.reasons if r.level == view.level]
    # Beside an emergency, "clicking on its own is harmless" would only blur the message.
    other_reasons = [
        r
        for r in view.reasons
        if r.level != view.level and not (emergency and r.level == "self_care")
    ]
    # A harmless result shows the few most urgent warning signs and folds the rest, so that a
    # list of emergencies does not drown the reassurance; other levels show them all.
    groups = view.safety_net
    cut = len(groups)
    if view.level == "self_care":
        totals = accumulate(len(g.items) for g in groups)
        cut = next((n + 1 for n, total in enumerate(totals) if total >= SAFETY_SHOWN), cut)
    safety_shown, safety_folded = groups[:cut], groups[cut:]
    # One folded list of what the reasons rest on, each source once (by title and publisher).
    why_sources = list(
        {s.title: s for r in (*top_reasons, *other_reasons) for s in r.sources}.values()
    )
    return render(
        request,
        "result.html",
        view=view,
        top_reasons=top_reasons,
        other_reasons=other_reasons,
        why_sources=why_sources,
        safety_shown=safety_shown,
        safety_folded=safety_folded,
        emergency=emergency,
        clinic=_clinic(request, view.level),
        private_url=private_link(request, quote(token, safe="")),
        expires=_date(stored.expires_at),
        link_days=request.app.state.store.link_days,
        renewed=request.query_params.get("renewed") == "1",
        renew_url=f"{root(request)}/r/{quote(token, safe='')}/renew",
        erase_url=f"{root(request)}/r/{quote(token, safe='')}/erase",
        pdf_url=f"{root(request)}/r/{quote(token, safe='')}/report.pdf",
        diary_url=f"{root(request)}/r/{quote(token, safe='')}/diary",
        history=history,
        diary_entries=diary_entries,
        sexes=_SEXES,
        answer_url=_answer_url(request, token, stored.case, view),
    )


def _date(when: datetime | None) -> str | None:
    """A date as people write it: 2 March 2027 (UTC)."""
    return None if when is None else f"{when.day} {when:%B %Y}"


@router.post("/r/{token}/renew", name="renew")
def renew(request: Request, token: str) -> Response:
    if not TOKEN.match(token) or request.app.state.store.renew_link(token) is None:
        raise HTTPException(404)
    here = f"{root(request)}/r/{quote(token, safe='')}?renewed=1#keep-title"
    return RedirectResponse(here, status_code=303)


@router.get("/r/{token}/erase", name="erase_confirm")
def erase_confirm(request: Request, token: str) -> Response:
    _stored(request, token)
    here = f"{root(request)}/r/{quote(token, safe='')}"
    return render(request, "erase.html", erased=False, result_url=here, erase_url=f"{here}/erase")


@router.post("/r/{token}/erase", name="erase")
async def erase(request: Request, token: str) -> Response:
    form = await request.form()
    here = f"{root(request)}/r/{quote(token, safe='')}"
    if form.get("confirm") != "yes":
        # Not confirmed: ask again rather than erase.
        return RedirectResponse(f"{here}/erase", status_code=303)
    if not TOKEN.match(token):
        raise HTTPException(404)
    if not await run_in_threadpool(request.app.state.store.erase_assessment, token):
        raise HTTPException(404)
    return render(request, "erase.html", erased=True, result_url=here, erase_url=f"{here}/erase")


def _answer_url(request: Request, token: str, case: Any, view: Any) -> str | None:
    """Where to answer what a provisional result has not asked, if the pages can carry on."""
    if view.provisional is None or view.emergency or not isinstance(case, Mapping):
        return None
    if _state.from_case(case) is None:
        return None
    return f"{root(request)}/r/{quote(token, safe='')}/answer"


@router.get("/r/{token}/answer", name="answer")
async def answer_more(request: Request, token: str) -> Response:
    """Carry on the interview from a stored (provisional) result: its answers, then the questions
    it has not asked. Nothing is stored until those are answered; then it is a new result."""
    stored = await run_in_threadpool(_stored, request, token)
    state = _state.from_case(stored.case) if isinstance(stored.case, Mapping) else None
    here = f"{root(request)}/r/{quote(token, safe='')}"
    if state is None:
        return RedirectResponse(here, status_code=303)
    step = await run_in_threadpool(_next_step, state)
    if step is None:
        return RedirectResponse(here, status_code=303)
    return _question_page(request, state, step)


def _pdf_with_diary(request: Request, stored: Any) -> bytes | None:
    """With a diary, the report is today's assessment of the case and the whole diary, so that
    its advice and reasons match the charts it shows; None without a diary."""
    from crepitus.report.pdf import render_pdf

    kept = request.app.state.store.diary(stored.token)
    if kept is None or not kept.entries:
        return None
    try:
        current = assess_with_diary(kept)
    except CaseError:
        # A stored case the knowledge base no longer accepts: the report as it was made.
        log.warning("could not assess a stored case with its diary")
        return None
    drawn = charts(kept.entries, current.trends)
    return render_pdf(current.result, stored.case, datetime.now(UTC), stored.token, charts=drawn)


@router.get("/r/{token}/report.pdf", name="report_pdf")
def report_pdf(request: Request, token: str) -> Response:
    from crepitus.report.pdf import render_pdf

    stored = _stored(request, token)
    pdf = _pdf_with_diary(request, stored)
    if pdf is None:
        pdf = render_pdf(stored.result, stored.case, stored.created_at, stored.token)
    headers = {
        **PRIVATE_HEADERS,
        "Content-Disposition": 'attachment; filename="crepitus-report.pdf"',
    }
    return Response(pdf, media_type="application/pdf", headers=headers)
