"""The knowledge base and the reader kept on disk between processes (crepitus.startup_cache)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import crepitus
from crepitus import startup_cache

TEXTS = [
    "My lower back clicks when I twist, no pain",
    "no numbness, but my foot tingles since yesterday; my mum had cancer",
    "58M c/o LBP 6/52, T 38.9, on pred 10mg, ↓power L ankle dorsiflexion 4/5",
    "I cant feel when I need to pee and its numb around my bum since this morning",
    "popped ibuprofen, the noise is killing me lol, nothing hurts",
]

_CHILD = """
import json, sys
from crepitus import startup_cache
startup_cache.install()
import crepitus
texts = json.loads(sys.argv[1])
out = [crepitus.parse(t) for t in texts]
print(json.dumps({"out": out, "version": crepitus.kb.load().version}))
"""


def _child(folder: Path, env_value: str | None = None) -> dict[str, object]:
    import os

    env = {**os.environ, "CREPITUS_CACHE_DIR": env_value or str(folder)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(TEXTS)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_kept_in_one_process_and_loaded_in_the_next_with_the_same_readings(
    tmp_path: Path,
) -> None:
    fresh = [crepitus.parse(t) for t in TEXTS]
    first = _child(tmp_path)  # builds both and keeps them
    kept = sorted(p.name.split("-")[0] for p in tmp_path.glob("*.pickle"))
    assert kept == ["knowledge", "reader"]
    mtimes = {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.pickle")}
    second = _child(tmp_path)  # loads them
    assert {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.pickle")} == mtimes
    assert first["out"] == second["out"] == json.loads(json.dumps(fresh))
    assert first["version"] == second["version"] == crepitus.kb.load().version


def test_an_unreadable_or_foreign_file_is_never_trusted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from crepitus import _kept, kb
    from crepitus.language import _engine

    monkeypatch.setenv("CREPITUS_CACHE_DIR", str(tmp_path))
    reader = startup_cache.cache_file("reader")
    assert reader is not None
    tmp_path.mkdir(exist_ok=True)
    reader.write_bytes(b"\x80\x05 torn")
    assert startup_cache._load("reader") is None  # torn: read as nothing, built again
    reader.write_bytes(pickle.dumps({"not": "a reader"}))
    # Loaded, but not an engine: the core ignores it and builds its own.
    reader_kept = _kept.Kept(_engine.Engine)
    reader_kept.use(lambda: startup_cache._load("reader"), lambda e: None)
    assert reader_kept.kept() is None
    knowledge_kept = _kept.Kept(kb.KnowledgeBase)
    knowledge_kept.use(lambda: {"not": "a knowledge base"}, lambda k: None)
    monkeypatch.setattr(kb, "_kept", knowledge_kept)
    kb.load.cache_clear()
    try:
        assert isinstance(kb.load(), kb.KnowledgeBase)
    finally:
        kb.load.cache_clear()


def test_off_keeps_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CREPITUS_CACHE_DIR", "off")
    assert startup_cache.cache_file("reader") is None
    startup_cache._save("reader", {"x": 1})
    assert startup_cache._load("reader") is None


def test_a_folder_that_cannot_be_written_keeps_nothing_and_fails_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would go")
    monkeypatch.setenv("CREPITUS_CACHE_DIR", str(blocked / "cache"))
    startup_cache._save("reader", {"x": 1})  # logs, raises nothing
    assert startup_cache._load("reader") is None


def test_saving_replaces_other_installs_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CREPITUS_CACHE_DIR", str(tmp_path))
    old = tmp_path / "reader-0000.pickle"
    old.write_bytes(b"old")
    startup_cache._save("reader", {"x": 1})
    assert not old.exists() and startup_cache._load("reader") == {"x": 1}
    assert [p.name for p in tmp_path.iterdir()] == [startup_cache.cache_file("reader").name]  # type: ignore[union-attr]


def test_the_key_changes_with_what_the_reader_is_built_from(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CREPITUS_CACHE_DIR", str(tmp_path))
    startup_cache._key.cache_clear()
    before = startup_cache.cache_file("reader")
    monkeypatch.setattr(crepitus, "__version__", crepitus.__version__ + ".dev1")
    startup_cache._key.cache_clear()
    after = startup_cache.cache_file("reader")
    startup_cache._key.cache_clear()
    assert before is not None and after is not None and before != after
    assert before.parent == tmp_path and before.name.startswith("reader-")
    with pytest.raises(ValueError, match="unknown cache kind"):
        startup_cache.cache_file("other")


def test_the_key_changes_with_the_installed_spacy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import spacy

    about = startup_cache._spacy_about()
    assert spacy.about.__version__.encode() in about  # read without importing spaCy
    monkeypatch.setenv("CREPITUS_CACHE_DIR", str(tmp_path))
    startup_cache._key.cache_clear()
    before = startup_cache.cache_file("reader")
    monkeypatch.setattr(startup_cache, "_spacy_about", lambda: about + b"# another build")
    startup_cache._key.cache_clear()
    after = startup_cache.cache_file("reader")
    startup_cache._key.cache_clear()
    assert before != after
