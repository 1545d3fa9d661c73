"""The symptom diary as one feature: what every surface (the HTTP API, the web pages, the PDF and
the command line) does with a diary, and how it words and draws it.

- ``_service``: add or import entries (all or none, bad fields named where they were sent),
  assess the case with the whole diary, the two charts, the exports;
- ``_output``: trends in plain words, chart descriptions, the CSV and JSON files and reading an
  export back;
- ``_charts``: the charts themselves (matplotlib, imported only to draw), bounded in size.

Where the rest lives: entries and diaries are stored by ``crepitus.store`` (``StoredEntry``,
``Diary``); the trends are computed by the core (``crepitus.engine.trends``) as part of every
assessment.
"""

from __future__ import annotations

from crepitus.diary._output import (
    chart_bytes,
    chart_descriptions,
    export_csv,
    export_json,
    read_export,
    relabel,
    trend_sentences,
)
from crepitus.diary._service import (
    DiaryAssessment,
    Export,
    add_entries,
    assess_with_diary,
    chart_titles,
    charts,
    export,
    import_entries,
)

__all__ = [
    "DiaryAssessment",
    "Export",
    "add_entries",
    "assess_with_diary",
    "chart_bytes",
    "chart_descriptions",
    "chart_titles",
    "charts",
    "export",
    "export_csv",
    "export_json",
    "import_entries",
    "read_export",
    "relabel",
    "trend_sentences",
]
