"""Flask CLI commands for models: `flask --app Backend/api_server.py train-baseline all`."""
from __future__ import annotations

import click
from flask import Flask, current_app


def register_cli(app: Flask) -> None:
    @app.cli.command("train-baseline")
    @click.argument("doc_type", default="all")
    @click.option("--force", is_flag=True, help="Train and activate a new baseline even if a model exists.")
    @click.option("--samples", type=int, default=None, help="Synthetic documents to train on (default BASELINE_SAMPLES).")
    def train_baseline_command(doc_type: str, force: bool, samples: int | None) -> None:
        """Train the synthetic baseline model of DOC_TYPE (paystub, check, money_order, bank_statement or all)."""
        from core.model_store import ModelStore
        from document_types import DOCUMENT_TYPES
        from training.baseline import ensure_baseline, train_baseline

        config = current_app.config["FRAUD_CONFIG"]
        names = list(DOCUMENT_TYPES) if doc_type == "all" else [doc_type]
        for name in names:
            if name not in DOCUMENT_TYPES:
                raise click.BadParameter(f"unknown type {name!r}; one of {', '.join(DOCUMENT_TYPES)} or all")
        n = samples or config.BASELINE_SAMPLES
        for name in names:
            directory = config.models_dir(name)
            if force:
                version = train_baseline(DOCUMENT_TYPES[name], ModelStore(directory, name), n,
                                         config.BASELINE_SEED, config.RISK_HIGH_THRESHOLD)
            else:
                version = ensure_baseline(DOCUMENT_TYPES[name], directory, n, config.BASELINE_SEED,
                                          config.RISK_HIGH_THRESHOLD)
            click.echo(f"{name}: " + (f"trained and activated {version}" if version else "a model exists (use --force)"))
