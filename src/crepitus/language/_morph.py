"""Inflection: "numbed", "tingles", "peeing", "fell" match the lexicon's "numb", "tingle", "pee",
"fall", so the lexicon need not write every form out.

The table is spaCy's English lookup lemmatizer table from the ``spacy-lookups-data`` package,
read straight from the package's data file (going through ``spacy.lookups`` would scan every
installed entry point, about a second; the file itself loads in about 50 ms). Nothing is
downloaded.

A word takes its lemma only for inflections that do not change what a phrase means: plurals and
the third person ("legs" -> "leg", "tingles" -> "tingle"), the "-ing" form ("peeing" -> "pee"),
the past of a few symptom verbs ("numbed" -> "numb") and a few irregular verbs ("felt" ->
"feel"). Other past tenses keep their form, since tense carries meaning here ("hurt it when I
lifted" is how it began, "hurts when I lift" when it hurts); so do comparatives ("looser" is
relief, "loose" instability; the table also maps "worse" -> "wrong").
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources
from typing import Final

from crepitus.language._rules import words

__all__ = ["lemma"]

_IRREGULAR: Final = words("felt fell fallen lost woke woken broke broken swollen")
# Past forms of symptom verbs, read as the symptom ("my foot numbed", "it tingled").
_SYMPTOM_PAST: Final = words(
    "numbed tingled ached throbbed leaked burned burnt stung itched twinged spasmed seized"
)
# Words whose forms carry meaning the lexicon and the rules rely on.
_KEEP: Final = words(
    "legs feet both worse worst better best used sharp sharper number numbness less least more "
    "most this these those has was is are were does done being cannot its"
)


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    data = resources.files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
    table: dict[str, str] = json.loads(gzip.decompress(data.read_bytes()))
    return table


def lemma(word: str) -> str:
    """The lemma of a lower-case word when it is safe to read it so, else the word."""
    if len(word) < 4 or word in _KEEP or not word.isalpha():
        return word
    base = _table().get(word)
    if base is None or base == word:
        return word
    if word in _IRREGULAR or word in _SYMPTOM_PAST:
        return base
    if word.endswith(("ed", "er", "est")):
        return word  # past tenses and comparatives keep their meaning (see above)
    if len(base) >= 3 and word.startswith(base[: max(3, len(base) - 1)]):
        return base
    return word
