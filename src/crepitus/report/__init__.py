"""Printable output of an assessment: the PDF report (and, later, charts).

``render_pdf`` imports WeasyPrint only when called, so importing this package stays cheap.
"""

from __future__ import annotations

from crepitus.report.pdf import render_pdf

__all__ = ["render_pdf"]
