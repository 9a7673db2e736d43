"""Calibrated scores, threshold tables and thresholds chosen by target rates."""

from __future__ import annotations

import numpy as np
import pytest

from models.calibration import ISOTONIC, SIGMOID, Calibration
from training.calibration import fit_calibration, threshold_table, thresholds_for_targets


def _scores(seed=0, n=4000):
    """Raw scores whose true fraud probability is known: P(fraud | raw) = 1 / (1 + exp(-(raw - 50) / 12))."""
    rng = np.random.default_rng(seed)
    raw = rng.uniform(0, 100, n)
    return raw, (rng.random(n) < 1 / (1 + np.exp(-(raw - 50) / 12))).astype(int)


@pytest.mark.parametrize("method", [SIGMOID, ISOTONIC])
def test_calibrated_probabilities_match_observed_fraud_rates(method):
    raw, labels = _scores()
    calibration = fit_calibration(raw, labels, method)
    test_raw, test_labels = _scores(seed=1)
    probability = calibration.probability(test_raw)
    for low in range(0, 100, 20):  # per band of scores, the mean probability is the observed fraud share
        band = (test_raw >= low) & (test_raw < low + 20)
        assert abs(probability[band].mean() - test_labels[band].mean()) < 0.05, (low, method)
    assert np.all(np.diff(calibration.probability(np.linspace(0, 100, 101))) >= -1e-12)  # monotone


@pytest.mark.parametrize("method", [SIGMOID, ISOTONIC])
def test_the_manifest_block_rebuilds_the_same_map_and_one_score_equals_many(method):
    raw, labels = _scores()
    calibration = fit_calibration(raw, labels, method)
    rebuilt = Calibration.from_manifest(calibration.as_block())
    grid = np.linspace(0, 100, 57)
    np.testing.assert_allclose(rebuilt.probability(grid), calibration.probability(grid))
    assert rebuilt.probability_of(63.2) == pytest.approx(float(calibration.probability(np.array([63.2]))[0]))


def test_separable_scores_still_get_a_finite_slope():
    """A holdout the ensemble separates perfectly must not make every score 0 or 1."""
    raw = np.concatenate([np.full(500, 15.0), np.full(500, 85.0)])
    labels = np.repeat([0, 1], 500)
    probability = fit_calibration(raw, labels, SIGMOID).probability(np.array([15.0, 50.0, 85.0]))
    assert probability[0] < 0.05 and probability[2] > 0.95 and 0.1 < probability[1] < 0.9


def test_too_few_rows_or_one_class_keep_the_raw_scale_and_say_so():
    assert fit_calibration(np.array([10.0] * 5), np.array([0, 1, 0, 1, 0])).method == "identity"
    assert fit_calibration(np.arange(100.0), np.zeros(100)).method == "identity"
    assert Calibration.from_manifest(None).probability(np.array([42.0]))[0] == pytest.approx(0.42)


@pytest.mark.parametrize(
    "block", [{"method": "cubic"}, {"method": ISOTONIC, "x": [0, 50], "y": [0.1]}, {"method": ISOTONIC, "x": [5, 1]}]
)
def test_a_broken_calibration_block_is_refused(block):
    block.setdefault("y", [0.0, 1.0])
    with pytest.raises(ValueError):
        Calibration.from_manifest(block)


def test_threshold_table_rates_and_precision_at_prevalence():
    scores = np.array([5, 10, 20, 60, 90, 40, 70, 80, 95, 99], dtype=float)
    labels = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    table = {row["threshold"]: row for row in threshold_table(scores, labels, prevalence=0.1)}
    row = table[60.0]
    assert row["false_positive_rate"] == pytest.approx(2 / 5) and row["recall"] == pytest.approx(4 / 5)
    assert row["precision"] == pytest.approx(0.8 * 0.1 / (0.8 * 0.1 + 0.4 * 0.9), abs=1e-5)
    assert table[100.0]["recall"] == 0 and table[100.0]["precision"] is None
    assert len(table) == 100


def test_thresholds_are_the_lowest_meeting_each_target():
    rng = np.random.default_rng(3)
    genuine, fraud = rng.uniform(0, 60, 1000), rng.uniform(40, 100, 1000)
    scores, labels = np.concatenate([genuine, fraud]), np.repeat([0, 1], 1000)
    table = threshold_table(scores, labels, 0.05)
    chosen = thresholds_for_targets(table, max_false_reject_rate=0.01, max_escalate_rate=0.10)
    for name, rate in (("escalate", 0.10), ("reject", 0.01)):
        t = chosen[name]
        assert np.mean(genuine >= t) <= rate < np.mean(genuine >= t - 1)
    assert chosen["escalate"] < chosen["reject"]
