"""`flask --app Backend/api_server.py outbox list|retry`: the outbox's dead letters, for operators.

A dead letter is an analysis the document store refused (StoreRejected: a value it cannot
take), set aside in the `dead_letter` table of the outbox file so the rows behind it are
still stored. `list` shows them without their contents; `retry` moves them back to the end
of the outbox queue once the cause is fixed (a migration applied, a constraint relaxed),
and the next flush sends them again.
"""

from __future__ import annotations

import click
from flask import Flask

from cli.logs import verbose_option
from services.container import Services


def register(app: Flask, services: Services) -> None:
    def _outbox():
        outbox = getattr(services.store, "outbox", None)
        if outbox is None:
            raise click.ClickException("This app's document store has no outbox")
        return outbox

    @app.cli.group("outbox")
    def outbox_group() -> None:
        """The local outbox: analyses waiting for the document store, and those it refused (dead letters)."""

    @outbox_group.command("list")
    @verbose_option
    @click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most this many (oldest first).")
    def list_command(limit: int | None) -> None:
        """List dead letters (table, document id, error; never the document's fields)."""
        outbox = _outbox()
        counts = outbox.counts()
        click.echo(f"{outbox.path}: {counts['pending']} pending, {counts['dead_letters']} dead letters")
        for letter in outbox.list_dead_letters(limit):
            click.echo(
                f"{letter.moved_at}  {letter.doc_table}  {letter.document_id}  {letter.error_class}: "
                f"{letter.error_message}"
            )

    @outbox_group.command("retry")
    @verbose_option
    @click.argument("document_ids", nargs=-1)
    @click.option("--flush", "flush_now", is_flag=True, help="Flush the outbox now instead of waiting for the flusher.")
    def retry_command(document_ids: tuple[str, ...], flush_now: bool) -> None:
        """Move dead letters (all, or those with DOCUMENT_IDS) back to the outbox queue."""
        outbox = _outbox()
        moved = outbox.retry_dead_letters(list(document_ids) if document_ids else None)
        click.echo(f"Moved {moved} dead letters back to the outbox queue")
        if document_ids and moved < len(set(document_ids)):
            click.echo(f"{len(set(document_ids)) - moved} of the given document ids are not dead letters", err=True)
        if flush_now:
            result = services.store.flush()
            click.echo(
                f"Flushed: {result.sent} stored, {result.already_stored} already stored, "
                f"{result.dead_lettered} refused again, {result.remaining} remaining"
                + (" (the store is unavailable)" if result.stopped else "")
            )
