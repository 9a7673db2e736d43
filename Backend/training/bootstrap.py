"""Start-up checks for missing models, kept free of training imports.

The serving process imports this module; training (scikit-learn, XGBoost) runs in a
child process, so a worker's memory holds only the ONNX models it serves.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.model_store import ModelStore
from core.serving import MODEL_NAMES


def missing_baselines(config, types) -> list[str]:
    """Names of the types with neither an active version nor legacy files (cheap: no training imports)."""
    return [name for name in types if not ModelStore(config.models_dir(name), name).has_model(MODEL_NAMES)]


def train_baselines_in_subprocess(config, names: list[str]) -> None:
    """Train the named types' baselines in a fresh Python process (`python -m training.baseline`).

    Training imports scikit-learn and XGBoost; doing it in a child keeps them out of the
    serving process, whose memory then holds only the ONNX models.
    """
    backend = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "training.baseline", *names,
               "--samples", str(config.BASELINE_SAMPLES), "--seed", str(config.BASELINE_SEED),
               "--high-threshold", str(config.RISK_HIGH_THRESHOLD),
               "--retraining-config", str(config.retraining_config_path())]
    for name in names:
        command += ["--models-dir", f"{name}={config.models_dir(name)}"]
    result = subprocess.run(command, cwd=backend)
    if result.returncode != 0:
        raise RuntimeError(f"Baseline training for {', '.join(names)} failed (exit code {result.returncode})")
