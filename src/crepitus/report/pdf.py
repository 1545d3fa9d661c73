"""The printable PDF report of an assessment, for taking to an appointment (WeasyPrint).

WeasyPrint is imported inside ``render_pdf``: it takes about a second to import, and nothing
else needs it. The report loads no external resources: its stylesheet is inlined and any chart
must arrive as a ``data:`` URI, so rendering never touches the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from crepitus.report.view import (
    ClinicianSummary,
    ReportView,
    build_view,
    clinician_summary,
    level_names,
)

__all__ = ["Chart", "render_html", "render_pdf"]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart for the report's charts section (a later issue draws them, e.g. the diary).

    ``image`` is a ``data:image/svg+xml`` or ``data:image/png`` URI; ``description`` is the
    text alternative and says in words what the chart shows.
    """

    title: str
    image: str
    description: str
    #: The same chart drawn for a phone's width (the web page offers it on narrow screens).
    phone_image: str | None = None


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("crepitus.report", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(
    view: ReportView,
    token: str,
    charts: Sequence[Chart] = (),
    clinician: ClinicianSummary | None = None,
) -> str:
    """The report as print-ready HTML (what WeasyPrint lays out): the clinician's page first
    (when given), then the person's pages."""
    return (
        _env()
        .get_template("report.html")
        .render(
            view=view,
            clinician=clinician,
            level_names=level_names(),
            reference=token[:8],
            charts=[c for c in charts if c.image.startswith("data:image/")],
        )
    )


def render_pdf(
    result: Mapping[str, Any],
    case: Mapping[str, Any] | None,
    created_at: datetime | str | None,
    token: str,
    *,
    charts: Sequence[Chart] = (),
) -> bytes:
    """The assessment as a PDF report (A4): a one-page summary for the clinician, then the same
    content as the result page."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    view = build_view(result, case, created_at)
    html = render_html(view, token, charts, clinician_summary(result, case))
    # Only inline data may load: a stray http or file URL in the content is never fetched.
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf
