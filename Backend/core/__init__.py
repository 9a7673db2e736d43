"""Machinery shared by every document type: validation, features, models, scoring, storage, API."""
