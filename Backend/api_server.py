"""The fraud detection API: app factory and production entry point.

python Backend/api_server.py            # granian, WEB_CONCURRENCY workers of WEB_THREADS threads, on PORT (5001)
python Backend/api_server.py --dev      # Flask's development server
flask --app Backend/api_server.py train-baseline all
flask --app Backend/api_server.py analyze uploads.csv --type paystub
flask --app Backend/api_server.py outbox list      # analyses the store refused (dead letters); `retry` requeues
"""

from __future__ import annotations

import argparse
import gc
import logging
from pathlib import Path

from flask import Flask, request
from flask_cors import CORS

from cli import register_cli
from config import INSTANCE_DIR, Config
from document_types import DOCUMENT_TYPES
from domain.policy import Policies, load_policy
from models.detector import FraudDetector
from scheduler.document_retraining_scheduler import RetrainingScheduler
from services.analysis import AnalysisService, BatchSettings
from services.container import Services
from services.model_versions import ModelVersions
from services.retraining import RetrainingRunner
from store.factory import document_store_with_outbox
from store.jobs import job_store_for
from store.outbox import start_flusher
from training.bootstrap import missing_baselines, train_baselines_in_subprocess
from training.model_performance_tracker import ModelPerformanceTracker
from training.onnx_export import load_legacy_version
from training.retraining_config import load_config
from web.admin import admin
from web.batches import batches
from web.context import slug_converter
from web.documents import documents
from web.http import BufferedResponse, RequestIdFilter, install
from web.json_provider import OrjsonProvider
from web.meta import meta

log = logging.getLogger("api_server")
BACKEND_DIR = Path(__file__).resolve().parent
LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d %(request_id)s] %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_fraud_api", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._fraud_api = True
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    root.setLevel(level.upper())


def identifying_columns(retraining_config) -> dict[str, tuple[str, ...]]:
    """Per type, the columns a batch file must have; ValueError naming a column the type does not have."""
    columns = {}
    for name, doc_type in DOCUMENT_TYPES.items():
        wanted = retraining_config.for_type(name).identifying_columns
        unknown = [c for c in wanted if c not in doc_type.schema.model_fields]
        if unknown:
            raise ValueError(
                f"retraining config: document_types.{name}.identifying_columns: {', '.join(unknown)} not {name} fields"
            )
        columns[name] = tuple(wanted)
    return columns


def cors_only_with_origin(app: Flask) -> None:
    """Run flask-cors' response hook only for requests with an Origin header.

    With always_send=False it adds nothing to any other response, but it still matched the
    path and built the header set on every request (a measurable share of a document's time).
    """
    hooks = app.after_request_funcs[None]
    found = [i for i, hook in enumerate(hooks) if hook.__name__ == "cors_after_request"]
    if len(found) != 1:
        raise RuntimeError("flask-cors did not register its after_request hook as expected")
    inner = hooks[found[0]]

    def cors_after_request(response):
        return inner(response) if "Origin" in request.headers else response

    hooks[found[0]] = cors_after_request


def create_app(config: Config | None = None, default_log_level: str = "WARNING") -> Flask:
    """Build the app: stores, one detector per type (trained first if none exists), use cases, routes, CLI.

    `default_log_level` applies when LOG_LEVEL is not set: the server passes INFO; the CLI
    and tests keep WARNING, so a command prints what it was asked for and not start-up logs.
    """
    config = config or Config.from_env()
    configure_logging(config.LOG_LEVEL or default_log_level)
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.json = OrjsonProvider(app)
    app.response_class = BufferedResponse
    app.config.update(MAX_CONTENT_LENGTH=config.MAX_CONTENT_LENGTH, FRAUD_CONFIG=config)
    warn_about_old_model_folders(config)

    missing = missing_baselines(config, DOCUMENT_TYPES)
    if missing and config.TRAIN_BASELINE_ON_START:
        log.info("Training baseline models for %s before serving", ", ".join(missing))
        train_baselines_in_subprocess(config, missing, log_level=config.LOG_LEVEL or default_log_level)

    retraining_config = load_config(config.retraining_config_path())  # fails fast if broken
    policies = load_policy(config.decision_policy_path(), tuple(DOCUMENT_TYPES))  # so does the decision policy
    services = build_services(config, retraining_config, policies)
    loaded = services.load_models()
    if not all(loaded.values()):
        log.warning("No model loaded for %s; /readyz answers 503", [n for n, ok in loaded.items() if not ok])
    app.extensions["fraud_detection"] = services
    app.extensions["outbox_flusher"] = start_flusher(services.store, config.OUTBOX_FLUSH_SECONDS)
    services.scheduler.start(stop_at_exit=True)

    app.url_map.converters["doctype"] = slug_converter([t.slug for t in DOCUMENT_TYPES.values()])
    install(app)
    for blueprint in (meta, documents, batches, admin):
        app.register_blueprint(blueprint)
    # always_send=False: a request without an Origin header (not from a browser) gets no CORS headers,
    # rather than every allowed origin at once, which no browser accepts anyway.
    CORS(app, resources={r"/api/*": {"origins": config.cors_origins}}, always_send=False)
    cors_only_with_origin(app)
    register_cli(app, services)
    return app


def build_services(config: Config, retraining_config, policies: Policies) -> Services:
    """The use cases over every document type, wired to the configured stores, models and decision policy."""
    detectors = {
        name: FraudDetector(
            doc_type,
            config.models_dir(name),
            policies[name],
            anomaly_escalates=config.ANOMALY_ESCALATES,
            legacy_loader=load_legacy_version,
        )
        for name, doc_type in DOCUMENT_TYPES.items()
    }
    versions = {
        name: ModelVersions(
            doc_type, detectors[name].store, ModelPerformanceTracker(name, detectors[name].store.directory)
        )
        for name, doc_type in DOCUMENT_TYPES.items()
    }
    batch = BatchSettings(config.BATCH_MAX_BYTES, config.BATCH_MAX_ROWS, identifying_columns(retraining_config))
    analysis = AnalysisService(
        DOCUMENT_TYPES, detectors, document_store_with_outbox(config, DOCUMENT_TYPES.values()), batch
    )
    services = Services(
        DOCUMENT_TYPES,
        analysis,
        versions,
        RetrainingRunner(config, job_store_for(config)),
        retraining_config,
        config.LIST_MAX_LIMIT,
    )
    services.scheduler = RetrainingScheduler(config, retraining_config, services, services.runner)
    # Late-bound, so the scheduler in place when the review arrives is the one asked.
    analysis.on_review = lambda name: services.scheduler.on_review(name)
    return services


def warn_about_old_model_folders(config: Config) -> None:
    """Models of deployments from before the instance folder sat in <type>/ml/models; say where they go now."""
    if config.MODELS_DIR:
        return
    for name in DOCUMENT_TYPES:
        old = BACKEND_DIR / name / "ml" / "models"
        if (old / "ACTIVE_VERSION.txt").exists():
            log.warning(
                "Models found in %s are no longer read: move them to %s or set MODELS_DIR", old, config.models_dir(name)
            )


def serving_app() -> Flask:
    """The app as each production worker process builds it: create_app(), then the heap frozen.

    Everything built so far (modules, models, the app) lives as long as the worker; gc.freeze()
    takes it out of the collector's reach, so full collections no longer walk those
    long-lived objects in the middle of a request (docs/benchmarks.md has the figures).
    """
    app = create_app(default_log_level="INFO")
    gc.freeze()
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", action="store_true", help="Flask's development server instead of granian")
    args = parser.parse_args(argv)
    config = Config.from_env()
    if args.dev:
        create_app(config, default_log_level="INFO").run(host=config.HOST, port=config.PORT, threaded=True)
        return

    from granian import Granian
    from granian.constants import Interfaces

    # Granian (Rust HTTP, WSGI in worker processes): see docs/benchmarks.md for why not gunicorn.
    Granian(
        "api_server:serving_app",
        factory=True,
        interface=Interfaces.WSGI,
        working_dir=Path(BACKEND_DIR),
        address=config.HOST,
        port=config.PORT,
        workers=config.WEB_CONCURRENCY,
        blocking_threads=config.WEB_THREADS,
        log_access=config.ACCESS_LOG,
        log_level=(config.LOG_LEVEL or "INFO").lower(),
        respawn_failed_workers=True,
    ).serve()


if __name__ == "__main__":
    main()
