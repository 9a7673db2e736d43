"""The decision policy: no REJECT without hard evidence, missing data asks for more, the file is validated whole."""

from __future__ import annotations

import json

import pytest

from domain.features import HARD, INCOMPLETE_DOCUMENT, INFO, SOFT, Reason
from domain.policy import DEFAULT_PATH, PolicyError, Thresholds, TypePolicy, load_policy, policies_from

TYPES = ("paystub", "check", "money_order", "bank_statement")
THRESHOLDS = Thresholds(escalate=50, reject=80)
POLICY = TypePolicy(hard_reasons={"NET_EXCEEDS_GROSS", "REUSED"}, decisive_reasons={"REUSED"}, info_reasons={"NOTE"})


def decide(score, *codes, anomalous=False, policy=POLICY):
    return policy.decide(score, [Reason(code, code.lower()) for code in codes], anomalous, THRESHOLDS)


def test_a_high_probability_without_hard_evidence_escalates_and_never_rejects():
    recommendation, reasons, rule = decide(99.9, "ROUND_AMOUNTS", "UNKNOWN_ISSUER", "ANOMALOUS_DOCUMENT")
    assert recommendation == "ESCALATE" and "no hard evidence" in rule
    assert {reason.severity for reason in reasons} == {SOFT}


def test_hard_evidence_and_a_high_probability_reject():
    recommendation, reasons, _ = decide(85, "NET_EXCEEDS_GROSS", "ROUND_AMOUNTS")
    assert recommendation == "REJECT"
    assert [(r.code, r.severity) for r in reasons] == [("NET_EXCEEDS_GROSS", HARD), ("ROUND_AMOUNTS", SOFT)]


def test_hard_evidence_with_a_low_probability_escalates():
    assert decide(10, "NET_EXCEEDS_GROSS")[0] == "ESCALATE"


def test_a_decisive_hard_reason_rejects_on_its_own():
    recommendation, _, rule = decide(5, "REUSED")
    assert recommendation == "REJECT" and "REUSED" in rule


def test_probability_alone_rejects_only_when_the_policy_allows_it():
    allowing = POLICY.model_copy(update={"reject_on_probability_alone": True})
    assert decide(90, "ROUND_AMOUNTS", policy=allowing)[0] == "REJECT"
    assert decide(90, "ROUND_AMOUNTS")[0] == "ESCALATE"


def test_missing_key_fields_escalate_even_at_a_low_probability_and_never_reject():
    recommendation, _, rule = decide(1, INCOMPLETE_DOCUMENT)
    assert recommendation == "ESCALATE" and "ask the applicant" in rule
    assert decide(99, INCOMPLETE_DOCUMENT)[0] == "ESCALATE"


def test_an_anomaly_escalates_what_would_be_approved_only_when_asked_to():
    assert decide(5, "ANOMALOUS_DOCUMENT", anomalous=True)[0] == "ESCALATE"
    assert decide(5, "ANOMALOUS_DOCUMENT", anomalous=False)[0] == "APPROVE"


def test_low_probability_and_no_evidence_approve_and_info_reasons_are_graded():
    recommendation, reasons, _ = decide(20, "NOTE")
    assert recommendation == "APPROVE" and reasons[0].severity == INFO


@pytest.mark.parametrize(
    "chosen, expected, source",
    [
        (None, (30.0, 70.0), "policy minimum"),
        ({"escalate": 12.0, "reject": 40.0}, (30.0, 70.0), "version targets"),  # never below the minimum
        ({"escalate": 55.0, "reject": 91.0}, (55.0, 91.0), "version targets"),
        ({"escalate": 75.0, "reject": 72.0}, (75.0, 76.0), "version targets"),  # reject stays above escalate
    ],
)
def test_thresholds_in_force(chosen, expected, source):
    thresholds, where = TypePolicy().thresholds_for(chosen)
    assert (thresholds.escalate, thresholds.reject) == expected and where == source


def test_fixed_thresholds_override_the_versions():
    policy = TypePolicy(thresholds=Thresholds(escalate=40, reject=60))
    assert policy.thresholds_for({"escalate": 90.0, "reject": 99.0}) == (Thresholds(escalate=40, reject=60), "policy")


def test_the_shipped_policy_loads_and_marks_the_issue_examples_hard():
    policies = load_policy(DEFAULT_PATH, TYPES)
    assert policies["paystub"].severity("DEDUCTIONS_DO_NOT_ADD_UP") == HARD
    assert policies["check"].severity("ROUTING_CHECKSUM_INVALID") == HARD
    assert policies["check"].severity("AMOUNT_MISMATCH") == HARD
    assert policies["bank_statement"].severity("BALANCE_DOES_NOT_RECONCILE") == HARD
    assert policies["money_order"].severity("AMOUNT_OVER_ISSUER_LIMIT") == HARD
    for soft in ("SERIAL_FORMAT_INVALID", "UNKNOWN_ISSUER", "ROUND_AMOUNTS", INCOMPLETE_DOCUMENT, "LOW_TEXT_QUALITY"):
        assert policies["money_order"].severity(soft) == SOFT
    assert policies["paystub"].severity("NO_FEDERAL_TAX") == SOFT
    assert not any(policy.reject_on_probability_alone for policy in policies.by_type.values())


@pytest.mark.parametrize(
    "document, names",
    [
        ({"types": {"paystub": {"hard_reasons": [INCOMPLETE_DOCUMENT]}}}, "types.paystub"),
        ({"types": {"cheque": {}}}, "types.cheque"),
        ({"defaults": {"min_thresholds": {"escalate": 80, "reject": 60}}}, "min_thresholds"),
        ({"defaults": {"targets": {"max_false_reject_rate": 0.2, "max_escalate_rate": 0.1}}}, "targets"),
        ({"types": {"check": {"decisive_reasons": ["X"]}}}, "decisive_reasons must also be hard_reasons"),
        ({"defaults": {"reject_threshold": 80}}, "reject_threshold"),
        ({"nonsense": 1}, "nonsense"),
    ],
)
def test_a_bad_policy_fails_naming_what_is_wrong(document, names):
    with pytest.raises(PolicyError, match=names.replace(".", r"\.")):
        policies_from(document, TYPES)


def test_an_unreadable_policy_file_fails_at_start(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text("{not json")
    with pytest.raises(PolicyError, match="not valid JSON"):
        load_policy(path, TYPES)
    with pytest.raises(PolicyError, match="cannot be read"):
        load_policy(tmp_path / "missing.json", TYPES)
    path.write_text(json.dumps({"types": {"paystub": {"fraud_prevalence": 2}}}))
    with pytest.raises(PolicyError, match="fraud_prevalence"):
        load_policy(path, TYPES)


@pytest.mark.parametrize(
    "recommendation, risk, severities, counts",
    [
        ("REJECT", 85.0, ["hard"], True),  # backed by hard evidence
        ("REJECT", 98.0, ["soft"], True),  # an extreme probability
        ("REJECT", 90.0, ["soft"], False),  # neither: the model may be wrong
        ("APPROVE", 2.0, [], True),
        ("APPROVE", 20.0, [], False),
        ("ESCALATE", 99.0, ["hard"], False),  # not a decision at all
    ],
)
def test_which_model_recommendations_may_become_labels(recommendation, risk, severities, counts):
    from types import SimpleNamespace

    from training.retraining_config import load_config

    quality = load_config().data_quality
    assert quality.use_model_labels is False  # off by default
    record = SimpleNamespace(
        ai_recommendation=recommendation, risk_score=risk, reasons=[{"code": "X", "severity": s} for s in severities]
    )
    assert quality.model_label_counts(record) is counts
