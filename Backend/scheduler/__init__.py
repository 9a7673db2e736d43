"""Scheduled and triggered retraining, executed exactly once across processes and hosts."""
