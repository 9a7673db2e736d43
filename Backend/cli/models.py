"""Model commands: `train-baseline`, `retrain` and `scheduled-training`.

flask --app Backend/api_server.py train-baseline all
flask --app Backend/api_server.py retrain paystub
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import Flask

from cli.logs import current_log_level, verbose_option
from services.container import Services
from training.bootstrap import train_baselines_in_subprocess

RESULT_HEADER = f"{'type':<16}{'success':<9}{'activated':<11}{'source':<11}{'version':<17}{'seconds':>8}  reason"


def print_results(results: list[dict]) -> None:
    """One line per run; nothing for no runs."""
    if not results:
        return
    click.echo("\n" + RESULT_HEADER)
    for r in results:
        click.echo(
            f"{r['doc_type']:<16}{str(r.get('success')):<9}{str(r.get('activated')):<11}"
            f"{str(r.get('data_source')):<11}{str(r.get('version_id')):<17}{r.get('training_seconds', 0):>8}  "
            f"{r.get('reason', '')}"
        )


def register(app: Flask, services: Services) -> None:
    config = app.config["FRAUD_CONFIG"]
    retraining = services.retraining_config

    def type_names(argument: str) -> list[str]:
        names = list(services.types) if argument == "all" else [argument]
        unknown = [n for n in names if n not in services.types]
        if unknown:
            raise click.BadParameter(f"unknown type {argument!r}; one of {', '.join(services.types)} or all")
        return names

    @app.cli.command("train-baseline")
    @verbose_option
    @click.argument("doc_type", default="all")
    @click.option(
        "--force",
        is_flag=True,
        help="Train a new baseline even if a model exists; it is activated only if it beats the active version.",
    )
    @click.option(
        "--samples", type=int, default=None, help="Synthetic documents to train on (default BASELINE_SAMPLES)."
    )
    def train_baseline_command(doc_type: str, force: bool, samples: int | None) -> None:
        """Train the synthetic baseline model of DOC_TYPE (paystub, check, money_order, bank_statement or all)."""
        names = type_names(doc_type)
        before = {name: services.versions[name].store.active_version() for name in names}
        train_baselines_in_subprocess(config, names, samples=samples, force=force, log_level=current_log_level())
        for name in names:
            store = services.versions[name].store
            active = store.active_version()
            newest = next(iter(store.list_versions()), None)
            if active != before[name]:
                click.echo(f"{name}: trained and activated {active}")
            elif force and newest is not None and newest.version != active:
                reason = (newest.manifest or {}).get("status_reason") or "not activated"
                click.echo(f"{name}: trained {newest.version}, not activated: {reason}; {active} stays active")
            else:
                click.echo(f"{name}: version {active} is active; --force trains a new baseline")

    def retrain_types(names: list[str], trigger: str) -> list[dict]:
        # Training needs scikit-learn and XGBoost; importing them here keeps them out of serving workers.
        from training.automated_retraining import DocumentModelRetrainer, RetrainingInProgress

        results = []
        for name in names:
            retrainer = DocumentModelRetrainer(
                name,
                store=services.store,
                app_config=config,
                config=retraining,
                trigger=trigger,
                progress=lambda stage, name=name: click.echo(f"{name}: {stage}"),
            )
            try:
                results.append(retrainer.retrain())
            except RetrainingInProgress as exc:
                results.append({"doc_type": name, "success": False, "reason": str(exc)})
        return results

    @app.cli.command("retrain")
    @verbose_option
    @click.argument("doc_type")
    @click.option("--force", is_flag=True, help="Retrain types that are disabled in the retraining config too.")
    def retrain_command(doc_type: str, force: bool) -> None:
        """Retrain DOC_TYPE (paystub, check, money_order, bank_statement or all) now, in this process."""
        names = type_names(doc_type)
        skipped = {
            n: "disabled in the retraining config (use --force)"
            for n in names
            if not force and not retraining.for_type(n).enabled
        }
        due = [n for n in names if n not in skipped]
        if not due:
            click.echo("nothing to retrain:\n" + "\n".join(f"  {n}: {why}" for n, why in skipped.items()))
            return
        for name, why in skipped.items():
            click.echo(f"{name}: {why}")
        results = retrain_types(due, "cli")
        print_results(results)
        if any(not r.get("success") for r in results):
            raise SystemExit(1)

    @app.cli.command("scheduled-training")
    @verbose_option
    @click.option("--days", type=int, default=1, show_default=True, help="Look for labels newer than this many days.")
    @click.option("--force", is_flag=True, help="Retrain every enabled type regardless of new data.")
    def scheduled_training_command(days: int, force: bool) -> None:
        """Retrain the types with enough new labels (in --days, or since the active version) or a drifting flag rate.

        Uses the scheduler's own trigger checks, so the CLI and the hourly job agree.
        """
        since = datetime.now(UTC) - timedelta(days=days)
        query = retraining.data_quality.label_query(since=since)
        lines, due = [], []
        for name, settings in retraining.document_types.items():
            if not settings.enabled:
                lines.append(f"{name}: disabled")
                continue
            new = services.store.count_labelled(services.types[name].table, query)
            triggered = [d for d in services.scheduler.decisions(name) if d.due]
            retrain = force or new >= settings.auto_train_threshold or bool(triggered)
            why = "; ".join(f"{d.kind}: {d.reason}" for d in triggered) or "no trigger due"
            lines.append(
                f"{name}: {new} new labelled documents in {days} day(s), threshold "
                f"{settings.auto_train_threshold}; {why}: {'retrain' if retrain else 'skip'}"
            )
            if retrain:
                due.append(name)
        if not due:
            click.echo("nothing to retrain:\n" + "\n".join(f"  {line}" for line in lines))
            return
        click.echo("\n".join(lines))
        print_results(retrain_types(due, "scheduled-cli"))
