"""Export of the trained estimators to ONNX, the format the serving path runs.

Training code imports it, and the app factory hands `load_legacy_version` to the detectors
for set-ups from before versioning. The converters (scikit-learn, XGBoost, skl2onnx,
onnxmltools) are imported inside the functions, so a serving process loads none of them
unless it has legacy files to export.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from models.detector import LoadedVersion
from models.model_store import VerificationFailed
from models.serving import OnnxEnsemble

ONNX_OPSET = 15  # highest opset onnxmltools' XGBoost converter supports
ML_OPSET = 3


def export_onnx(model: Any, n_features: int) -> bytes:
    """ONNX bytes of a fitted RandomForestRegressor or XGBRegressor taking float32[n, n_features]."""
    if type(model).__module__.startswith("xgboost"):
        from onnxmltools.convert import convert_xgboost
        from onnxmltools.convert.common.data_types import FloatTensorType

        onx = convert_xgboost(
            model, initial_types=[("input", FloatTensorType([None, n_features]))], target_opset=ONNX_OPSET
        )
    else:
        from skl2onnx import to_onnx

        onx = to_onnx(
            model, np.zeros((1, n_features), dtype=np.float32), target_opset={"": ONNX_OPSET, "ai.onnx.ml": ML_OPSET}
        )
    return onx.SerializeToString()


def isolation_forest_to_onnx(model: Any, n_features: int) -> bytes:
    """ONNX bytes of a fitted IsolationForest: float32[n, n_features] -> `anomaly_score` float32[n, 1].

    The score is scikit-learn's `-score_samples`, 2^(-mean path length / c(max_samples)).
    Each tree becomes a regression tree whose leaves hold their path length (depth plus
    the expected length below an unsplit leaf), averaged by one TreeEnsembleRegressor.
    It converts and scores far faster than skl2onnx's own converter (docs/benchmarks.md).
    """
    import onnx
    from onnx import TensorProto, helper
    from sklearn.ensemble._iforest import _average_path_length

    nodes: dict[str, list] = {key: [] for key in ("tree", "node", "feature", "mode", "value", "true", "false")}
    leaves: dict[str, list] = {"tree": [], "node": [], "weight": []}
    for t, (estimator, features) in enumerate(zip(model.estimators_, model.estimators_features_)):
        tree = estimator.tree_
        left, right = tree.children_left, tree.children_right
        depth = np.zeros(tree.node_count, dtype=np.float64)
        for node in range(tree.node_count):  # parents come before their children in sklearn trees
            if left[node] != -1:
                depth[left[node]] = depth[right[node]] = depth[node] + 1
        is_leaf = left == -1
        path = depth + _average_path_length(tree.n_node_samples)
        feature = np.where(is_leaf, 0, np.asarray(features)[np.maximum(tree.feature, 0)])
        nodes["tree"] += [t] * tree.node_count
        nodes["node"] += list(range(tree.node_count))
        nodes["feature"] += feature.astype(int).tolist()
        nodes["mode"] += ["LEAF" if leaf else "BRANCH_LEQ" for leaf in is_leaf]
        nodes["value"] += np.where(is_leaf, 0.0, tree.threshold).tolist()
        nodes["true"] += np.maximum(left, 0).tolist()
        nodes["false"] += np.maximum(right, 0).tolist()
        leaf_ids = np.flatnonzero(is_leaf)
        leaves["tree"] += [t] * len(leaf_ids)
        leaves["node"] += leaf_ids.tolist()
        leaves["weight"] += path[leaf_ids].tolist()
    normaliser = float(_average_path_length([model.max_samples_])[0])
    graph = helper.make_graph(
        [
            helper.make_node(
                "TreeEnsembleRegressor",
                ["input"],
                ["path_length"],
                domain="ai.onnx.ml",
                n_targets=1,
                aggregate_function="AVERAGE",
                nodes_treeids=nodes["tree"],
                nodes_nodeids=nodes["node"],
                nodes_featureids=nodes["feature"],
                nodes_modes=nodes["mode"],
                nodes_values=nodes["value"],
                nodes_truenodeids=nodes["true"],
                nodes_falsenodeids=nodes["false"],
                nodes_missing_value_tracks_true=[0] * len(nodes["node"]),
                target_treeids=leaves["tree"],
                target_nodeids=leaves["node"],
                target_ids=[0] * len(leaves["node"]),
                target_weights=leaves["weight"],
            ),
            helper.make_node("Mul", ["path_length", "minus_inverse_c"], ["exponent"]),
            helper.make_node("Pow", ["two", "exponent"], ["anomaly_score"]),
        ],
        "isolation_forest",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, n_features])],
        [helper.make_tensor_value_info("anomaly_score", TensorProto.FLOAT, [None, 1])],
        initializer=[
            helper.make_tensor("minus_inverse_c", TensorProto.FLOAT, [], [-1.0 / normaliser]),
            helper.make_tensor("two", TensorProto.FLOAT, [], [2.0]),
        ],
    )
    onx = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET), helper.make_opsetid("ai.onnx.ml", ML_OPSET)]
    )
    onx.ir_version = 8  # what every supported ONNX Runtime reads
    onnx.checker.check_model(onx)
    return onx.SerializeToString()


def load_legacy_version(paths: dict[str, Path], feature_names: list[str], version: str):
    """A LoadedVersion from non-versioned joblib files, with neutral explanation statistics."""
    n_features = len(feature_names)
    exported = {}
    for name, path in paths.items():
        model = joblib.load(path)
        if getattr(model, "n_features_in_", n_features) != n_features:
            raise VerificationFailed(
                f"{path.name} expects {model.n_features_in_} features, the extractor makes {n_features}"
            )
        exported[name] = export_onnx(model, n_features)
    return LoadedVersion(
        version=version,
        ensemble=OnnxEnsemble(exported, {name: 1.0 for name in exported}),
        feature_names=tuple(feature_names),
        typical=np.zeros(n_features),
        spread=np.ones(n_features),
        importance=np.full(n_features, 1.0 / n_features),
        loaded_at=datetime.now(UTC).isoformat(),
    )
