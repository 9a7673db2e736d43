"""`--verbose` for every command: a command prints what it was asked for; with --verbose, also the logs."""

from __future__ import annotations

import functools
import logging

import click


def verbose_option(command):
    """Add --verbose: log at INFO while the command runs (LOG_LEVEL sets the level otherwise)."""

    @click.option("--verbose", is_flag=True, help="Also print the service's INFO logs.")
    @functools.wraps(command)
    def wrapper(*args, verbose: bool, **kwargs):
        if verbose:
            logging.getLogger().setLevel(logging.INFO)
        return command(*args, **kwargs)

    return wrapper


def current_log_level() -> str:
    """The root logger's level name, for a child process to log as this one does."""
    return logging.getLevelName(logging.getLogger().getEffectiveLevel())
