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
        from training.retraining_config import load_config

        config = current_app.config["FRAUD_CONFIG"]
        retraining = load_config(config.retraining_config_path())
        names = list(DOCUMENT_TYPES) if doc_type == "all" else [doc_type]
        for name in names:
            if name not in DOCUMENT_TYPES:
                raise click.BadParameter(f"unknown type {name!r}; one of {', '.join(DOCUMENT_TYPES)} or all")
        n = samples or config.BASELINE_SAMPLES
        for name in names:
            directory = config.models_dir(name)
            if force:
                version = train_baseline(DOCUMENT_TYPES[name], ModelStore(directory, name), n, config.BASELINE_SEED,
                                         config.RISK_HIGH_THRESHOLD, anomaly=retraining.anomaly_settings(name))
            else:
                version = ensure_baseline(DOCUMENT_TYPES[name], directory, n, config.BASELINE_SEED,
                                          config.RISK_HIGH_THRESHOLD, anomaly=retraining.anomaly_settings(name))
            click.echo(f"{name}: " + (f"trained and activated {version}" if version else "a model exists (use --force)"))


def _print_results(results: list[dict]) -> None:
    click.echo(f"\n{'type':<16}{'success':<9}{'activated':<11}{'source':<11}{'version':<17}{'seconds':>8}  reason")
    for r in results:
        click.echo(f"{r['doc_type']:<16}{str(r.get('success')):<9}{str(r.get('activated')):<11}"
                   f"{str(r.get('data_source')):<11}{str(r.get('version_id')):<17}{r.get('training_seconds', 0):>8}  "
                   f"{r.get('reason', '')}")


def _retrain_types(names: list[str], trigger: str) -> list[dict]:
    from core.services import services
    from .automated_retraining import RETRAINERS, RetrainingInProgress

    results = []
    for name in names:
        click.echo(f"{name}: starting")
        retrainer = RETRAINERS[name](
            store=services().store, app_config=current_app.config["FRAUD_CONFIG"],
            config=current_app.extensions["retraining_config"], trigger=trigger,
            progress=lambda stage, name=name: click.echo(f"{name}: {stage}"))
        try:
            results.append(retrainer.retrain())
        except RetrainingInProgress as exc:
            results.append({"doc_type": name, "success": False, "reason": str(exc)})
    return results


def register_retraining_cli(app: Flask) -> None:
    @app.cli.command("retrain")
    @click.argument("doc_type")
    @click.option("--force", is_flag=True, help="Retrain types that are disabled in the retraining config too.")
    def retrain_command(doc_type: str, force: bool) -> None:
        """Retrain DOC_TYPE (paystub, check, money_order, bank_statement or all) now, in this process."""
        config = current_app.extensions["retraining_config"]
        names = list(config.document_types) if doc_type == "all" else [doc_type]
        if any(name not in config.document_types for name in names):
            raise click.BadParameter(f"unknown type {doc_type!r}; one of {', '.join(config.document_types)} or all")
        skipped = [n for n in names if not force and not config.for_type(n).enabled]
        for name in skipped:
            click.echo(f"{name}: disabled in the retraining config (use --force)")
        results = _retrain_types([n for n in names if n not in skipped], "cli")
        _print_results(results)
        if any(not r.get("success") for r in results):
            raise SystemExit(1)

    @app.cli.command("scheduled-training")
    @click.option("--days", type=int, default=1, show_default=True, help="Look for labels newer than this many days.")
    @click.option("--force", is_flag=True, help="Retrain every enabled type regardless of new data.")
    def scheduled_training_command(days: int, force: bool) -> None:
        """Retrain the types with enough new labels (in --days, or since the active version) or a drifting flag rate.

        Uses the scheduler's own trigger checks, so the CLI and the hourly job agree.
        """
        from datetime import datetime, timedelta, timezone

        from core.services import services

        config = current_app.extensions["retraining_config"]
        scheduler = current_app.extensions["retraining_scheduler"]
        quality = config.data_quality
        since = datetime.now(timezone.utc) - timedelta(days=days)
        due = []
        for name, settings in config.document_types.items():
            if not settings.enabled:
                click.echo(f"{name}: disabled")
                continue
            new = services().store.count_labelled(services().types[name].table, quality.label_query(since=since))
            recent = new >= settings.auto_train_threshold
            triggered = [d for d in scheduler.decisions(name) if d.due]
            retrain = force or recent or bool(triggered)
            why = "; ".join(f"{d.kind}: {d.reason}" for d in triggered) or "no trigger due"
            click.echo(f"{name}: {new} new labelled documents in {days} day(s), threshold "
                       f"{settings.auto_train_threshold}; {why}: {'retrain' if retrain else 'skip'}")
            if retrain:
                due.append(name)
        _print_results(_retrain_types(due, "scheduled-cli"))
