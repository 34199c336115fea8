"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

import config


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(config.INSTANCE))
    app.config.from_mapping(config.load(config.INSTANCE))
    if test_config:
        app.config.from_mapping(test_config)
    configure_proxies(app)
    configure_extensions(app)
    configure_login(app)
    configure_security_headers(app)
    configure_url_converters(app)
    configure_blueprints(app)
    configure_errors(app)
    configure_cli(app)
    configure_templates(app)
    return app


def configure_proxies(app: Flask) -> None:
    """Behind N reverse proxies, trust their X-Forwarded-* headers (client address for
    rate limits and login throttling); by default trust none, so they cannot be forged."""
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def configure_extensions(app: Flask) -> None:
    from app.database import (
        configure_requests_without_transaction,
        enable_sqlite_pragmas,
        ping_when_idle,
    )
    from app.extensions import csrf, db, login_manager, migrate
    from app.jobs import queue, tasks  # noqa: F401  (tasks: registers the jobs)

    # For the database the app uses, as a test may give it after config.load.
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", config.engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    )
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        enable_sqlite_pragmas(db.engine)
        ping_when_idle(db.engine)
    configure_requests_without_transaction(app)  # before the user's load (configure_login)
    queue.configure(app)


def configure_login(app: Flask) -> None:
    """Who is logged in, session versions and idle time, the forced password change."""
    from app.auth.login_session import configure_login_sessions

    configure_login_sessions(app)


def configure_security_headers(app: Flask) -> None:
    """CSP, nosniff, referrer and framing rules on every response."""
    from app.headers import add_security_headers

    app.after_request(add_security_headers)


def configure_url_converters(app: Flask) -> None:
    """``<int:…>`` bounded to what an id can be, before any URL rule is added."""
    from app.bounds import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter


def configure_errors(app: Flask) -> None:
    """Error pages and JSON errors in Chinese."""
    from app.errors import register_error_handlers

    register_error_handlers(app)


def configure_blueprints(app: Flask) -> None:
    from app.admin.audit import bp as admin_audit_bp
    from app.admin.banks import bp as admin_banks_bp
    from app.admin.certificates import bp as admin_certificates_bp
    from app.admin.exams import bp as admin_exams_bp
    from app.admin.live.routes import bp as admin_live_bp
    from app.admin.people import bp as admin_people_bp
    from app.admin.results import bp as admin_results_bp
    from app.admin.routes import bp as admin_bp
    from app.admin.sittings import bp as admin_sittings_bp
    from app.auth.routes import bp as auth_bp
    from app.certificate.routes import bp as certificate_bp
    from app.exam.routes import bp as exam_bp
    from app.main.routes import bp as main_bp
    from app.practice.routes import bp as practice_bp
    from app.verify.routes import bp as verify_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(admin_people_bp)
    app.register_blueprint(admin_exams_bp)
    app.register_blueprint(admin_sittings_bp)
    app.register_blueprint(admin_live_bp)
    app.register_blueprint(admin_banks_bp)
    app.register_blueprint(admin_results_bp)
    app.register_blueprint(admin_audit_bp)
    app.register_blueprint(admin_certificates_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(practice_bp)
    app.register_blueprint(exam_bp)
    app.register_blueprint(certificate_bp)
    app.register_blueprint(verify_bp)


def configure_cli(app: Flask) -> None:
    from app.admin.people.cli import demo_cli, users_cli
    from app.bank.cli import bank_cli
    from app.certificate.cli import cert_cli
    from app.exam.cli import attempts_cli, exam_cli, sittings_cli
    from app.jobs.cli import jobs_cli

    app.cli.add_command(bank_cli)
    app.cli.add_command(exam_cli)
    app.cli.add_command(sittings_cli)
    app.cli.add_command(attempts_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(cert_cli)
    app.cli.add_command(jobs_cli)


def configure_templates(app: Flask) -> None:
    from app.admin.access import may
    from app.admin.areas import admin_areas
    from app.admin.people.identity import login_name, mask_id_number
    from app.exam.certificate_box import PDF_BEING_MADE, PDF_FAILED
    from app.labels import label
    from app.question_types import init_app as init_question_types
    from app.timefmt import localtime, points, script_time

    init_question_types(app)
    app.jinja_env.globals["admin_areas"] = admin_areas
    app.jinja_env.globals["may"] = may
    # A certificate's PDF as the pages and the result page's status answer word it.
    app.jinja_env.globals["PDF_BEING_MADE"] = PDF_BEING_MADE
    app.jinja_env.globals["PDF_FAILED"] = PDF_FAILED
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["points"] = points
    app.jinja_env.filters["script_time"] = script_time
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["masked_id"] = mask_id_number
    app.jinja_env.filters["login_name"] = login_name
