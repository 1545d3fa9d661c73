"""The spaCy tokenizer, the phrase matchers and the compiled lexicon, built once per process.

spaCy is imported here, inside :func:`engine`, so that importing ``crepitus.language`` stays cheap.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from crepitus import kb
from crepitus._kept import Kept
from crepitus.language import _rules
from crepitus.language._morph import lemma

Kind = Literal["term", "absent", "deny", "cued", "family", "doubt"]
Scope = Literal["nearest", "segment", "sentence"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon entry's context rules, with word lists replaced by their ids."""

    fid: str
    needs: tuple[frozenset[str], ...]
    cue_words: int | None
    cue_sentence: bool  # cue words looked for in the sentence, not just the segment
    blockers: int | None
    scope: Scope
    unless: frozenset[str]
    history_counts: bool


@dataclass(frozen=True, slots=True)
class Key:
    """What a matcher key stands for."""

    what: Literal["finding", "words", "trigger"]
    name: str  # finding id, word-list id or trigger category
    sub: str  # Kind for a finding, direction for a trigger, "" for words


class Speller:
    """Reads a token one typing slip away from a lexicon word as that word.

    Only slips that keep the first letter and the lexicon word at six letters or more: a missing,
    doubled or extra letter, or two neighbours swapped ("numbess", "stifness", "crakcing").
    Substitutions are left out because they turn real words into lexicon words ("hopping" ->
    "popping"); so are English words that happen to be one slip away (``keep``,
    knowledge/speller.yaml). rapidfuzz
    finds the candidates (optimal string alignment distance 1); the kind of slip picks among them.
    """

    def __init__(self, known: set[str], keep: frozenset[str]) -> None:
        self._functions()
        self.known = frozenset(known)
        self.keep = keep
        self.long = frozenset(w for w in known if len(w) >= 6 and w.isalpha())
        # Candidates by first letter and length, so each lookup compares a few dozen words.
        buckets: dict[tuple[str, int], list[str]] = {}
        for w in sorted(self.long):
            buckets.setdefault((w[0], len(w)), []).append(w)
        self.buckets = buckets
        self._cache: dict[str, str | None] = {}

    def _functions(self) -> None:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA, Hamming

        self._extract, self._osa, self._hamming = process.extract, OSA.distance, Hamming.distance

    def __getstate__(self) -> dict[str, Any]:
        # rapidfuzz's compiled functions do not pickle: they are taken again on loading.
        return {k: v for k, v in self.__dict__.items() if k not in ("_extract", "_osa", "_hamming")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._functions()

    def correct(self, low: str) -> str | None:
        hit = self._cache.get(low, "")
        if hit != "":
            return hit
        fixed = self._correct(low)
        if len(self._cache) > 50_000:  # bounded: arbitrary input must not grow memory forever
            self._cache.clear()
        self._cache[low] = fixed
        return fixed

    def _correct(self, low: str) -> str | None:
        if not 5 <= len(low) <= 30 or low in self.known or low in self.keep or not low.isalpha():
            return None
        n = len(low)
        # Kinds of slip, likeliest first; two candidates of one kind are too ambiguous to pick.
        for size in (n, n + 1, n - 1):  # swapped, missing, extra
            pool = self.buckets.get((low[0], size), [])
            found = [
                c
                for c, _, _ in self._extract(
                    low, pool, scorer=self._osa, score_cutoff=1, limit=None
                )
                if size != n or self._hamming(low, c) == 2  # a swap, not a substitution
            ]
            if len(found) > 1:
                # Slips come later in a word more often than earlier: "poping" is "popping"
                # (3 letters in common first), not "pooping" (2). A tie is too ambiguous.
                # commonprefix on words, character by character, as intended here.
                common = {c: len(os.path.commonprefix((low, c))) for c in found}  # noqa: RUF071
                best = max(common.values())
                found = [c for c in found if common[c] == best]
            if found:
                return found[0] if len(found) == 1 else None
        return None


_CANT = re.compile(r"\b(?:can't|cant|cannot|can not|can’t)\s+", re.I)


# "couldn't walk or feel my toes": the second of two inabilities, its "can't" left out.
_CANT_SENSE = re.compile(r"^(?:can't|cant|cannot|can not|can’t)\s+(?=(?:feel|control)\s)", re.I)


def _variants(phrase: str) -> list[str]:
    """A phrase and its past and formal forms: "can't pee" -> "couldn't pee", "unable to pee"."""
    if not _CANT.search(phrase):
        return [phrase]
    out = [phrase] + [
        _CANT.sub(f"{alt} ", phrase)
        for alt in ("couldn't", "unable to", "not able to", "no longer able to", "could no longer")
    ]
    if _CANT_SENSE.match(phrase):
        out += [_CANT_SENSE.sub(f"{alt} ", phrase) for alt in ("or", "nor")]
    return out


@dataclass
class Engine:
    nlp: Any
    matcher: Any  # PhraseMatcher on NORM
    exact: Any  # PhraseMatcher on ORTH
    keys: dict[int, Key]
    entries: dict[str, Entry]
    word_lists: list[frozenset[str]]
    groups: dict[str, str]
    implies: dict[str, tuple[str, ...]]
    anchors: frozenset[str]  # findings that activity phrases attach to (sound, pain)
    speller: Speller
    thresholds: kb.Thresholds  # durations, vital signs, power grades (thresholds.yaml)


_lock = threading.Lock()
_engine: Engine | None = None
#: A built engine kept between processes by an adapter (``crepitus.startup_cache``).
_kept: Kept[Engine] = Kept(Engine)


def use_cache(load: Callable[[], object | None], save: Callable[[Engine], None]) -> None:
    """Keep the built engine between processes: ``load`` returns a kept one (or None), ``save``
    keeps a freshly built one. Anything ``load`` returns that is not an engine is ignored."""
    _kept.use(load, save)


def engine() -> Engine:
    """The process-wide engine, built on first use (about a second: spaCy import and patterns),
    or loaded from the adapter's cache."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _import_spacy()
                _engine = _kept.get(_build)
    return _engine


_CLI_INFO = "spacy.cli.info"


def _import_spacy() -> None:
    """Import spaCy without its command line.

    ``import spacy`` imports ``spacy.cli.info`` for one name, ``spacy.info``, and with it the whole
    of spaCy's command line (typer, rich, requests, weasel): about 18 MB of every worker's memory
    and a third of a second of every start, none of it used to read text. A stand-in takes its
    place while spaCy is imported, then steps aside, so ``spacy.cli`` still loads in full for
    anyone who asks for it. If spaCy ever fails to import this way, it is imported whole.
    """
    if "spacy" in sys.modules or _CLI_INFO in sys.modules:
        return
    stand_in = types.ModuleType(_CLI_INFO)

    def info(*args: Any, **kwargs: Any) -> Any:
        from spacy.cli.info import info as real

        return real(*args, **kwargs)

    stand_in.info = info  # type: ignore[attr-defined]
    sys.modules[_CLI_INFO] = stand_in
    try:
        import spacy  # noqa: F401
    except Exception:
        for name in [m for m in sys.modules if m == "spacy" or m.startswith("spacy.")]:
            del sys.modules[name]
    finally:
        if sys.modules.get(_CLI_INFO) is stand_in:
            del sys.modules[_CLI_INFO]


def _build() -> Engine:
    import spacy
    from spacy import util
    from spacy.matcher import PhraseMatcher

    knowledge = kb.load()
    nlp = spacy.blank("en")
    # Arrows are words of their own in clinical notes ("anal tone↓.", "↓power L").
    arrows = r"[↓↑⬇⬆]"
    tok: Any = nlp.tokenizer
    d: Any = nlp.Defaults
    tok.prefix_search = util.compile_prefix_regex([*d.prefixes, arrows]).search
    tok.suffix_search = util.compile_suffix_regex([*d.suffixes, arrows]).search
    tok.infix_finditer = util.compile_infix_regex([*d.infixes, arrows]).finditer
    for short, word in {**_rules.SHORTHAND, **_rules.VERB_NORMS}.items():
        nlp.vocab[short].norm_ = word
    matcher = PhraseMatcher(nlp.vocab, attr="NORM")
    exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    keys: dict[int, Key] = {}
    known: set[str] = set()
    word_lists: list[frozenset[str]] = []
    list_ids: dict[frozenset[str], int] = {}

    def add(m: Any, key: Key, phrases: list[str]) -> None:
        if not phrases:
            return
        name = f"{key.what}|{key.name}|{key.sub}"
        if key.what == "finding":
            phrases = [v for p in phrases for v in _variants(p)]
        docs = [nlp.make_doc(p) for p in phrases]
        for d in docs:
            known.update(t.lower_ for t in d)
            for t in d:
                # As the text's words are read (``_context.layout``): "him" as "me", lemmas.
                t.norm_ = _rules.PERSON_NORMS.get(t.norm_) or lemma(t.norm_)
        m.add(name, docs)
        keys[nlp.vocab.strings[name]] = key

    def word_list(words: list[str]) -> int | None:
        if not words:
            return None
        fs = frozenset(w.lower() for w in words)
        if fs not in list_ids:
            list_ids[fs] = len(word_lists)
            word_lists.append(fs)
            add(matcher, Key("words", str(list_ids[fs]), ""), sorted(fs))
        return list_ids[fs]

    problems: list[str] = []
    entries: dict[str, Entry] = {}
    for fid, e in knowledge.lexicon.items():
        for ref in [*(f for g in e.needs for f in g), *e.unless]:
            if ref not in knowledge.findings:
                problems.append(f"lexicon.yaml:{fid}: refers to unknown finding '{ref}'")
        add(matcher, Key("finding", fid, "term"), e.terms)
        add(matcher, Key("finding", fid, "absent"), e.absent)
        add(matcher, Key("finding", fid, "deny"), e.deny_only)
        add(matcher, Key("finding", fid, "cued"), e.cued)
        add(matcher, Key("finding", fid, "doubt"), e.doubt)
        # A family phrase written in `exact` keeps its capitals ("AS", not "as").
        caps = [p for p in e.family if p in e.exact]
        add(matcher, Key("finding", fid, "family"), [p for p in e.family if p not in caps])
        add(exact, Key("finding", fid, "family"), caps)
        add(exact, Key("finding", fid, "term"), [p for p in e.exact if p not in caps])
        entries[fid] = Entry(
            fid=fid,
            needs=tuple(frozenset(g) for g in e.needs),
            cue_words=word_list(e.cue_words),
            cue_sentence=e.cue_scope == "sentence",
            blockers=word_list(e.blockers),
            scope=e.scope,
            unless=frozenset(e.unless),
            history_counts=e.history_counts,
        )
    if problems:
        raise kb.KnowledgeError(problems)
    for dc in knowledge.drugs:
        # A medicine's name is a plain mention of what its class implies (drugs.yaml).
        for fid in dc.findings:
            add(matcher, Key("finding", fid, "term"), dc.drugs)
    for cat, triggers in _rules.TRIGGERS.items():
        by_dir: dict[str, list[str]] = {}
        for phrase, direction in triggers:
            by_dir.setdefault(direction, []).append(phrase)
        for way, phrases in by_dir.items():
            add(matcher, Key("trigger", cat, way), phrases)
    anchors = frozenset(
        f for e in entries.values() if e.scope == "nearest" and e.needs for f in e.needs[0]
    )
    return Engine(
        nlp=nlp,
        matcher=matcher,
        exact=exact,
        keys=keys,
        entries=entries,
        word_lists=word_lists,
        groups={fid: f.group for fid, f in knowledge.findings.items()},
        implies={fid: tuple(f.implies) for fid, f in knowledge.findings.items()},
        anchors=anchors,
        speller=Speller(known, knowledge.speller_keep),
        thresholds=knowledge.thresholds,
    )
