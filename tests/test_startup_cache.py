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


def test_an_unreadable_or_foreign_file_is_built_again_never_trusted(tmp_path: Path) -> None:
    _child(tmp_path)
    reader = next(tmp_path.glob("reader-*.pickle"))
    knowledge = next(tmp_path.glob("knowledge-*.pickle"))
    reader.write_bytes(b"\x80\x05 torn")
    knowledge.write_bytes(pickle.dumps({"not": "a knowledge base"}))
    again = _child(tmp_path)
    assert again["out"] == json.loads(json.dumps([crepitus.parse(t) for t in TEXTS]))
    # Both written over with good ones.
    assert pickle.loads(reader.read_bytes()).__class__.__name__ == "Engine"
    assert pickle.loads(knowledge.read_bytes()).__class__.__name__ == "KnowledgeBase"


def test_off_keeps_nothing(tmp_path: Path) -> None:
    _child(tmp_path, env_value="off")
    assert list(tmp_path.iterdir()) == []


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


def test_a_folder_that_cannot_be_written_leaves_everything_working(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would go")
    out = _child(tmp_path, env_value=str(blocked / "cache"))
    assert out["out"] == json.loads(json.dumps([crepitus.parse(t) for t in TEXTS]))
