from training.feature_docs import DOC_PATH, render
from document_types import DOCUMENT_TYPES


def test_features_doc_is_current():
    assert DOC_PATH.read_text() == render(), "run: python Backend/training/feature_docs.py"


def test_every_feature_is_declared_once_with_a_description():
    for doc_type in DOCUMENT_TYPES.values():
        names = doc_type.extractor.feature_names
        assert len(names) == len(set(names)), doc_type.name
        assert all(spec.description.strip() for spec in doc_type.extractor.feature_specs)
