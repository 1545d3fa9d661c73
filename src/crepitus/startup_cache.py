"""The validated knowledge base and the free-text reader kept on disk between processes, so that
a start does not build them again.

Building the reader (spaCy's tokenizer, the phrase matchers over the lexicon's phrases, the
speller) takes most of a cold ``crepitus assess "TEXT"``, and reading and validating the
knowledge base a tenth of a second of every start; loading pickled ones takes a fraction. Only
what passed validation is ever kept, so a broken knowledge base still fails loudly. Each file's
name carries a key made of everything the reader is built from: the crepitus, spaCy
and Python versions, the packaged knowledge files and the language package's own source. A
changed install makes a new key, so nothing stale is ever used; an unreadable or foreign file is
built again and written over, never trusted. The folder is the user's cache folder
(``CREPITUS_CACHE_DIR`` overrides it; ``off`` keeps nothing), made private to its owner, like
the data folder; pickle runs code on loading, so it reads only from there.

Only the adapters (the command line, the service) install it: the core reads and writes nothing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

import crepitus
from crepitus import kb, language
from crepitus._folders import user_folder

__all__ = ["cache_file", "install"]

log = logging.getLogger("crepitus.cache")
_KINDS = ("knowledge", "reader")


def _folder() -> Path | None:
    chosen = os.environ.get("CREPITUS_CACHE_DIR", "").strip()
    if chosen.lower() == "off":
        return None
    return Path(chosen) if chosen else user_folder("cache")


@lru_cache(maxsize=1)
def _key() -> str:
    """A digest of everything the reader is built from."""
    h = hashlib.sha256()
    for part in (crepitus.__version__, sys.version, str(pickle.HIGHEST_PROTOCOL)):
        h.update(part.encode() + b"\0")
    # spaCy's version from its about.py, found without importing spaCy: importlib.metadata
    # would cost a cold start more than everything else here (about 13 ms).
    h.update(_spacy_about() + b"\0")
    package = resources.files("crepitus")
    # The knowledge base's models: a kept knowledge base is made of them.
    h.update(package.joinpath("kb.py").read_bytes() + b"\0")
    for folder in ("knowledge", "language"):
        for item in sorted(package.joinpath(folder).iterdir(), key=lambda p: p.name):
            if item.is_file() and item.name.endswith((".yaml", ".py")):
                h.update(item.name.encode() + b"\0" + item.read_bytes() + b"\0")
    return h.hexdigest()[:32]


def _spacy_about() -> bytes:
    spec = importlib.util.find_spec("spacy")
    if spec is None or spec.origin is None:
        return b"no spacy"
    return Path(spec.origin).with_name("about.py").read_bytes()


def cache_file(kind: str) -> Path | None:
    """Where this install keeps ``kind`` ("knowledge" or "reader"), or None when caching is off."""
    if kind not in _KINDS:
        raise ValueError(f"unknown cache kind {kind!r}: one of {', '.join(_KINDS)}")
    folder = _folder()
    return None if folder is None else folder / f"{kind}-{_key()}.pickle"


def _load(kind: str) -> object | None:
    path = cache_file(kind)
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as f:
            kept: object = pickle.load(f)
        return kept
    except Exception as exc:  # a torn or foreign file: build again and write over it
        log.info("the kept %s could not be read (%s); building it again", kind, type(exc).__name__)
        return None


def _save(kind: str, built: object) -> None:
    path = cache_file(kind)
    if path is None:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written whole, then renamed: a reader never sees half a file, and two processes
        # saving at once both leave a complete one.
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(built, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in path.parent.glob(f"{kind}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)  # other installs' files: they would only pile up
    except OSError as exc:  # a read-only home, a full disk: everything works, uncached
        log.info("could not keep the %s (%s)", kind, type(exc).__name__)


def install() -> None:
    """Use what is kept when it matches this install; keep what is built otherwise."""
    kb.use_cache(lambda: _load("knowledge"), lambda built: _save("knowledge", built))
    language.use_cache(lambda: _load("reader"), lambda built: _save("reader", built))
