"""Training: from raw documents to a saved, verified model version."""
