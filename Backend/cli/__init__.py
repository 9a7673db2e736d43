"""Flask CLI commands: `flask --app Backend/api_server.py <command>`. Each calls a use case and prints its result."""

from __future__ import annotations

from flask import Flask

from cli import batch, models, outbox
from services.container import Services


def register_cli(app: Flask, services: Services) -> None:
    models.register(app, services)
    batch.register(app, services)
    outbox.register(app, services)
