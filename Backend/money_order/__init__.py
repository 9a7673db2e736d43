"""Money orders: only what differs for this type (fields, features, synthetic documents); the type itself is declared in document_types.py."""
