"""Start-up checks for missing models, kept free of training imports.

The serving process imports this module; training (scikit-learn, XGBoost) runs in a
child process, so a worker's memory holds only the ONNX models it serves.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from models.model_store import ModelStore
from models.serving import MODEL_NAMES


def missing_baselines(config, types) -> list[str]:
    """Names of the types with neither an active version nor legacy files (cheap: no training imports)."""
    return [name for name in types if not ModelStore(config.models_dir(name), name).has_model(MODEL_NAMES)]


def train_baselines_in_subprocess(
    config, names: list[str], samples: int | None = None, force: bool = False, log_level: str = "WARNING"
) -> None:
    """Train the named types' baselines in a fresh Python process (`python -m training.baseline`).

    Used at start-up (types with no model) and by `flask train-baseline` (`force`: train a
    new baseline even where a model exists). Training imports scikit-learn and XGBoost;
    doing it in a child keeps them out of the serving process, whose memory then holds
    only the ONNX models.
    """
    backend = Path(__file__).resolve().parent.parent
    command = [
        sys.executable,
        "-m",
        "training.baseline",
        *names,
        "--samples",
        str(samples or config.BASELINE_SAMPLES),
        "--seed",
        str(config.BASELINE_SEED),
        "--decision-policy",
        str(config.decision_policy_path()),
        "--retraining-config",
        str(config.retraining_config_path()),
        "--log-level",
        log_level,
    ]
    if force:
        command.append("--force")
    for name in names:
        command += ["--models-dir", f"{name}={config.models_dir(name)}"]
    result = subprocess.run(command, cwd=backend)
    if result.returncode != 0:
        raise RuntimeError(f"Baseline training for {', '.join(names)} failed (exit code {result.returncode})")
