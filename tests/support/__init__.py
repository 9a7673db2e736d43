"""What the tests share: helpers, fakes and the scripts tests start as subprocesses.

Tests import from here as `from support.app import make_config` (pyproject.toml puts `tests`
on pytest's pythonpath). Fixtures stay in tests/conftest.py, where pytest finds them.
This file imports nothing, so bench/harness.py can use `support.servers` without Backend.
"""
