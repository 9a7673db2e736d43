"""Money orders: only what differs for this type (fields, features, synthetic documents).

The type itself is declared once, in document_types.py.
"""
