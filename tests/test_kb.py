"""The knowledge base: complete, consistent, cited, and loud when broken."""

from __future__ import annotations

import pytest
import yaml

from crepitus import kb
from crepitus.engine.triage import compiled_rules

K = kb.load()
VOCAB = kb._vocabulary()


def test_every_vocabulary_id_is_defined() -> None:
    assert set(VOCAB["findings"]) <= set(K.findings)
    assert set(VOCAB["conditions"]) <= set(K.conditions)
    assert [lvl["id"] for lvl in VOCAB["triage_levels"]] == list(kb.LEVELS)


def test_findings_keep_their_vocabulary_group() -> None:
    for fid, spec in VOCAB["findings"].items():
        assert K.findings[fid].group == spec["group"], fid


def test_every_rule_and_advice_cites_an_existing_source() -> None:
    cited = [r.sources for r in K.rules] + [a.sources for a in K.advice]
    cited += [e.sources for e in K.exercises.values()] + [c.sources for c in K.conditions.values()]
    cited += [g.sources for g in K.interview]
    for sources in cited:
        assert sources, "every item cites at least one source"
        assert set(sources) <= set(K.sources)


def test_the_guidelines_and_articles_are_sources() -> None:
    for sid in [
        "seed-000",
        "seed-001",
        "seed-002",
        "seed-003",
        "nice-ng59",
        "girft-ces-2023",
        "girft-ces-card",
        "nice-ng234",
        "asas-2009",
        "nice-ng65",
        "nice-ng156",
    ]:
        assert sid in K.sources


def test_every_level_is_valid_and_every_level_is_reachable() -> None:
    assert {r.level for r in K.rules} == set(kb.LEVELS)


def test_every_reference_resolves() -> None:
    for r in K.rules:
        assert set(kb.expr_findings(r.when)) <= set(K.findings), r.id
    for c in K.conditions.values():
        assert set(c.likelihoods) <= set(K.findings), c.id
    for e in K.exercises.values():
        assert set(e.matches) <= set(K.findings), e.id
    for a in K.advice:
        assert set(a.when_any) <= set(K.findings), a.id
    for f in K.findings.values():
        assert set(f.implies) <= set(K.findings), f.id


def test_every_red_flag_of_the_guidelines_has_a_rule() -> None:
    fired_by = {f for r in K.rules if r.level != "self_care" for f in kb.expr_findings(r.when)}
    for fid in [
        "bladder_dysfunction",
        "bowel_dysfunction",
        "saddle_numbness",
        "sexual_dysfunction",
        "bilateral_leg_symptoms",
        "leg_weakness_severe",
        "trauma_major",
        "trauma_minor",
        "osteoporosis",
        "steroid_use",
        "cancer_history",
        "fever",
        "iv_drug_use",
        "immunosuppressed",
        "pain_sudden_severe",
        "fainting",
        "pain_below_knee",
        "pain_over_3_days",
        "pain_worsening",
        "pain_severe",
        "pain_sharp",
        "pain_night",
        "pain_rest_unrelieved",
        "swelling",
        "giving_way",
        "gait_change",
        "sound_frequent_daily",
        "sound_same_spot",
        "weight_loss",
        "insidious_onset",
    ]:
        assert fid in fired_by, fid


def test_rules_are_sorted_most_urgent_first() -> None:
    ranks = [c.rank for c in compiled_rules()]
    assert ranks == sorted(ranks, reverse=True)


def test_every_exercise_is_complete() -> None:
    names = {e.name.lower() for e in K.exercises.values()}
    for wanted in ["dead bug", "bird dog"]:
        assert any(wanted in n for n in names), wanted
    for e in K.exercises.values():
        assert e.steps and e.dose and e.progression and e.stop_if


def test_no_licensed_instrument_is_used() -> None:
    text = yaml.safe_dump([s.model_dump() for s in K.sources.values()]).lower()
    assert "oswestry" not in text


def _texts() -> dict[str, str]:
    return kb._read_texts()


def test_a_broken_knowledge_base_fails_loudly_and_names_the_problem() -> None:
    texts = _texts()
    texts["rules"] = texts["rules"].replace("when: bladder_dysfunction", "when: bladder_dysfuntion")
    with pytest.raises(kb.KnowledgeError) as err:
        kb.load_from_texts(texts)
    assert any("bladder_dysfuntion" in p for p in err.value.problems)


def test_an_uncited_source_is_caught() -> None:
    texts = _texts()
    texts["advice"] = texts["advice"].replace("sources: [seed-002", "sources: [seed-999", 1)
    with pytest.raises(kb.KnowledgeError) as err:
        kb.load_from_texts(texts)
    assert any("seed-999" in p for p in err.value.problems)


def test_a_missing_vocabulary_finding_is_caught() -> None:
    texts = _texts()
    doc = yaml.safe_load(texts["findings"])
    doc["findings"] = [f for f in doc["findings"] if f["id"] != "saddle_numbness"]
    texts["findings"] = yaml.safe_dump(doc)
    with pytest.raises(kb.KnowledgeError) as err:
        kb.load_from_texts(texts)
    assert any("saddle_numbness" in p for p in err.value.problems)


def test_a_bad_level_and_bad_yaml_are_caught() -> None:
    texts = _texts()
    texts["rules"] = texts["rules"].replace("level: emergency_ambulance", "level: urgent", 1)
    with pytest.raises(kb.KnowledgeError) as err:
        kb.load_from_texts(texts)
    assert any("level" in p for p in err.value.problems)
    texts = _texts()
    texts["sources"] = "sources: [unclosed"
    with pytest.raises(kb.KnowledgeError, match="not valid YAML"):
        kb.load_from_texts(texts)


def test_likelihood_words_are_data_and_checked() -> None:
    assert [K.texts.likelihood_word(0, p) for p in (0.5, 0.18, 0.05)] == [
        "most likely",
        "possible",
        "less likely",
    ]
    assert K.texts.likelihood_word(1, 0.5) == "possible"  # "most likely" is the top cause's only
    texts = _texts()
    texts["texts"] = texts["texts"].replace(
        '{word: "less likely", from: 0.0}', '{word: "x", from: 0.3}'
    )
    with pytest.raises(kb.KnowledgeError) as err:
        kb.load_from_texts(texts)
    assert any("likelihood" in p for p in err.value.problems)


def test_clinical_thresholds_are_data_and_checked() -> None:
    t = K.thresholds
    assert [(d.finding, d.days) for d in t.durations] == [
        ("pain_over_3_days", 3),
        ("pain_over_6_weeks", 42),
        ("pain_over_3_months", 84),
    ]
    assert (t.vital_signs.systolic_below, t.vital_signs.fever_from_c) == (90, 38.0)
    texts = _texts()
    texts["thresholds"] = texts["thresholds"].replace("sources: [ostelo-2008]", "sources: [x-1]")
    texts["thresholds"] = texts["thresholds"].replace("finding: pain_over_3_days", "finding: nope")
    with pytest.raises(kb.KnowledgeError) as err:
        kb.load_from_texts(texts)
    assert any("x-1" in p for p in err.value.problems)
    assert any("nope" in p for p in err.value.problems)


def test_version_changes_with_content() -> None:
    texts = _texts()
    texts["rules"] += "\n# a comment\n"
    assert kb.load_from_texts(texts).version != K.version
