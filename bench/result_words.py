"""How long each kind of result page is: words in the page's main part, all of them and those
shown before anything folded is opened, and (with Chromium) the page's height on a phone.

    python bench/result_words.py            # this checkout
    PYTHONPATH=OLD/src python bench/result_words.py   # another checkout's code, to compare

Each kind is one fully screened case (every other warning sign answered "no"), saved and shown
through the real app on a throwaway SQLite file; prints one JSON line per kind.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

KINDS: dict[str, list[str]] = {
    "self_care": ["back_sound"],
    "consultation": ["back_sound", "pain", "pain_over_3_days", "pain_over_6_weeks"],
    "consultation_24": ["pain", "leg_weakness"],
    "emergency": ["bladder_dysfunction"],
    "emergency_ambulance": ["chest_pain"],
}
PHONE = {"width": 390, "height": 844}
CHROMIUM = Path("/usr/bin/chromium")


class _Words(HTMLParser):
    """Words inside <main>: all, and those outside a closed <details> (its <summary> counts)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = self.skip = 0
        self.folded = 0  # depth inside <details> but outside its <summary>
        self.stack: list[str] = []
        self.all = self.shown = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.in_main += 1
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "details" and not any(k == "open" for k, _ in attrs):
            self.folded += 1
            self.stack.append("details")
        elif tag == "summary" and self.stack and self.stack[-1] == "details":
            self.folded -= 1
            self.stack.append("summary")

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main -= 1
        if tag in ("script", "style"):
            self.skip -= 1
        if tag == "summary" and self.stack and self.stack[-1] == "summary":
            self.stack.pop()
            self.folded += 1
        elif tag == "details" and self.stack and self.stack[-1] == "details":
            self.stack.pop()
            self.folded -= 1

    def handle_data(self, data: str) -> None:
        if self.in_main and not self.skip:
            n = len(re.findall(r"[\w’'-]+", data))
            self.all += n
            if self.folded == 0:
                self.shown += n


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="crepitus-words-"))
    os.environ["CREPITUS_DATABASE_URL"] = f"sqlite:///{folder / 'words.db'}"
    os.environ["CREPITUS_RATE_WRITES"] = os.environ["CREPITUS_RATE_LOOKUPS"] = "off"
    from fastapi.testclient import TestClient

    import crepitus
    from crepitus.api.app import create_app

    accept = {"Accept": "text/html"}
    with TestClient(create_app(), headers=accept) as client:
        store = client.app.state.store  # type: ignore[attr-defined]
        pages: dict[str, str] = {}
        for kind, present in KINDS.items():
            evidence: list[dict[str, Any]] = [{"id": f, "present": True} for f in present]
            screen = [i.id for i in crepitus.kb.load().screening if i.only_for in (None, "self")]
            evidence += [{"id": f, "present": False} for f in screen if f not in present]
            if "pain" not in present:
                evidence.append({"id": "pain", "present": False})
            case = {"age": 40, "evidence": evidence}
            result = crepitus.assess(case)
            token = store.save_assessment(case, result)
            body = client.get(f"/r/{token}").text
            words = _Words()
            words.feed(body)
            pages[kind] = body
            line: dict[str, Any] = {
                "kind": kind,
                "level": result["triage"]["level"],
                "words_all": words.all,
                "words_shown": words.shown,
            }
            print(json.dumps(line), flush=True)
        if CHROMIUM.exists() and "--no-height" not in sys.argv:
            _heights(pages)
    return 0


def _heights(pages: dict[str, str]) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        from importlib import resources

        css = (resources.files("crepitus") / "web" / "static" / "crepitus.css").read_text()
        for kind, body in pages.items():
            # The stylesheet inlined: the page as a phone lays it out, with nothing unfolded.
            styled = re.sub(r'<link rel="stylesheet"[^>]*>', f"<style>{css}</style>", body)
            page.set_content(styled)
            height = page.evaluate("document.documentElement.scrollHeight")
            print(json.dumps({"kind": kind, "phone_height_px": height}), flush=True)
        browser.close()


if __name__ == "__main__":
    raise SystemExit(main())
