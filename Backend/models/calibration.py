"""From the ensemble's raw 0-100 score to a calibrated fraud probability, at serving time.

A version's calibration is fitted on documents its ensemble did not train on
(training.calibration) and stored in its manifest as plain numbers, so serving needs
neither scikit-learn nor a file: a sigmoid is two floats, an isotonic map a handful of
breakpoints read with `np.interp`. The risk score served is the probability times 100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

SIGMOID, ISOTONIC = "sigmoid", "isotonic"
SCORE_SCALE = 10.0  # a sigmoid's input is (raw - 50) / SCORE_SCALE: slopes near 1 for scores that separate well


@dataclass(frozen=True)
class Calibration:
    """`method` "sigmoid" (`slope`, `intercept`) or "isotonic" (`x`, `y` breakpoints); `identity` for old versions."""

    method: str
    slope: float = 0.0
    intercept: float = 0.0
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()

    @classmethod
    def from_manifest(cls, block: dict[str, Any] | None) -> Calibration:
        """The manifest's `calibration` block; a version from before calibration keeps raw / 100."""
        if not block:
            return cls("identity")
        if block["method"] == SIGMOID:
            return cls(SIGMOID, slope=float(block["slope"]), intercept=float(block["intercept"]))
        if block["method"] == ISOTONIC:
            x, y = tuple(map(float, block["x"])), tuple(map(float, block["y"]))
            if len(x) != len(y) or len(x) < 2 or any(b < a for a, b in zip(x, x[1:])):
                raise ValueError("isotonic calibration needs two or more increasing breakpoints")
            return cls(ISOTONIC, x=x, y=y)
        raise ValueError(f"unknown calibration method {block['method']!r}")

    def as_block(self) -> dict[str, Any]:
        if self.method == SIGMOID:
            return {"method": SIGMOID, "slope": self.slope, "intercept": self.intercept, "scale": SCORE_SCALE}
        return {"method": self.method, "x": list(self.x), "y": list(self.y)}

    def probability(self, raw: np.ndarray) -> np.ndarray:
        """Fraud probabilities (0..1) for raw ensemble scores (0..100)."""
        raw = np.asarray(raw, dtype=np.float64)
        if self.method == SIGMOID:
            return 1.0 / (1.0 + np.exp(-(self.slope * (raw - 50.0) / SCORE_SCALE + self.intercept)))
        if self.method == ISOTONIC:
            return np.interp(raw, self.x, self.y)
        return np.clip(raw / 100.0, 0.0, 1.0)

    def probability_of(self, raw: float) -> float:
        """One score, without NumPy's per-call overhead (the single-document path)."""
        if self.method == SIGMOID:
            z = self.slope * (raw - 50.0) / SCORE_SCALE + self.intercept
            return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        return float(self.probability(np.array([raw]))[0])
