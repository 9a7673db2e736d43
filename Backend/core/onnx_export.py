"""Export of the trained estimators to ONNX, the format the serving path runs.

Imported only by training code and by the legacy-file fallback: it needs scikit-learn,
XGBoost, skl2onnx and onnxmltools, none of which a serving process otherwise loads.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import joblib
import numpy as np

ONNX_OPSET = 15  # highest opset onnxmltools' XGBoost converter supports
ML_OPSET = 3


def export_onnx(model: Any, n_features: int) -> bytes:
    """ONNX bytes of a fitted RandomForestRegressor or XGBRegressor taking float32[n, n_features]."""
    if type(model).__module__.startswith("xgboost"):
        from onnxmltools.convert import convert_xgboost
        from onnxmltools.convert.common.data_types import FloatTensorType

        onx = convert_xgboost(model, initial_types=[("input", FloatTensorType([None, n_features]))],
                              target_opset=ONNX_OPSET)
    else:
        from skl2onnx import to_onnx

        onx = to_onnx(model, np.zeros((1, n_features), dtype=np.float32),
                      target_opset={"": ONNX_OPSET, "ai.onnx.ml": ML_OPSET})
    return onx.SerializeToString()


def load_legacy_version(paths: dict[str, Path], feature_names: list[str], version: str):
    """A LoadedVersion from non-versioned joblib files, with neutral explanation statistics."""
    from .detector import LoadedVersion
    from .model_store import VerificationFailed
    from .serving import OnnxEnsemble

    n_features = len(feature_names)
    exported = {}
    for name, path in paths.items():
        model = joblib.load(path)
        if getattr(model, "n_features_in_", n_features) != n_features:
            raise VerificationFailed(f"{path.name} expects {model.n_features_in_} features, the extractor makes {n_features}")
        exported[name] = export_onnx(model, n_features)
    return LoadedVersion(
        version=version,
        ensemble=OnnxEnsemble(exported, {name: 1.0 for name in exported}),
        feature_names=tuple(feature_names),
        typical=np.zeros(n_features),
        spread=np.ones(n_features),
        importance=np.full(n_features, 1.0 / n_features),
        loaded_at=datetime.now(timezone.utc).isoformat(),
    )
