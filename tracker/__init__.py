"""The Repatriation Tracker: a case-tracking database for forced repatriations."""

import logging
import os
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from tracker import caching, i18n, security, unit_of_work
from tracker import config as settings
from tracker.extensions import csrf, db, limiter, login_manager, migrate
from tracker.resources import resource_dir

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error pages, CLI."""
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    app.config.from_mapping(settings.DEFAULTS)
    if config is None:
        app.config.from_mapping(settings.from_environment(app.instance_path))
    else:
        app.config.from_mapping(config)
    settings.check_secret_key(app.config)
    _trust_proxies(app)

    _configure_logging(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)  # before the blueprints: their <int:...> ids are bounded
    unit_of_work.init_app(app)
    caching.init_app(app)
    from tracker.jobs import queue as job_queue

    job_queue.init_app(app)

    from tracker import models  # noqa: F401  (complete the metadata)
    from tracker.accounts import views as accounts_views
    from tracker.admin import views as admin_views
    from tracker.dashboard import views as dashboard_views
    from tracker.errors import register_error_handlers
    from tracker.estimates import views as estimates_views
    from tracker.exports import views as exports_views
    from tracker.vocab.labels import register_template_helpers

    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(dashboard_views.bp)
    app.register_blueprint(exports_views.bp)
    app.register_blueprint(estimates_views.bp)
    _register_workspace(app)
    accounts_views.install_login_gate(app)
    register_error_handlers(app)
    register_template_helpers(app)

    from tracker import api

    api.init_app(app)  # after the login gate: its token check must run before the gate

    from tracker.cli import register_commands

    register_commands(app)
    return app


def _register_workspace(app: Flask) -> None:
    """The researcher workspace: one blueprint per kind of record, and the Trash."""
    from tracker.events.views import event_views
    from tracker.imports.views import bp as imports_bp
    from tracker.persons.views import contact_views, person_views
    from tracker.places.views import crossing_views, facility_views
    from tracker.sources.views import source_views
    from tracker.trash.views import bp as trash_bp

    kinds = (facility_views, crossing_views, source_views, event_views, person_views, contact_views)
    for views in kinds:
        app.register_blueprint(views.blueprint)
    app.register_blueprint(trash_bp)
    app.register_blueprint(imports_bp)
    from tracker.search.views import bp as search_bp
    from tracker.vocab.views import bp as vocab_bp

    app.register_blueprint(search_bp)
    app.register_blueprint(vocab_bp)
    from tracker.un.views import bp as un_bp

    app.register_blueprint(un_bp)
    # Browsers ask for /favicon.ico on every page: served as the static file it is (public,
    # cached like the other static files).
    app.url_map.converters["favicon"] = FaviconName
    app.add_url_rule(
        "/<favicon:filename>", endpoint="static", view_func=app.view_functions["static"]
    )


def _trust_proxies(app: Flask) -> None:
    """Behind TRACKER_TRUSTED_PROXIES proxies, take the client's address and scheme from the
    headers they add (the last N entries of X-Forwarded-For); without it, never: a header
    anyone can send must not choose the address that throttling counts against."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


class FaviconName(BaseConverter):
    """Matches only "favicon.ico" (the name browsers ask for at the root)."""

    regex = r"favicon\.ico"


def _configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys on, WAL for concurrent readers, and a busy timeout for writers."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
