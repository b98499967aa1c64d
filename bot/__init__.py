"""The Flask app: WeChat webhook, mini-program API, simulator and CLI, wired in one factory."""
from flask import Flask, abort
from flask.sessions import SecureCookieSessionInterface

# Ids are the database's 32-bit integers: a larger number in a URL names nothing.
MAX_ID = 2**31 - 1


def ids_in_range(_endpoint: str | None, values: dict | None) -> None:
    """Every `<int:…>` of a route is an id: a huge one is a 404 before any check or query
    (PostgreSQL would refuse it as out of range: a server error)."""
    if values and any(isinstance(value, int) and value > MAX_ID for value in values.values()):
        abort(404)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building a signer for a call that carries no
    cookie: nearly every call, WeChat's and the mini-program's (only the console has one)."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.session_interface = CookieSessions()
    from bot import config

    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    config.settle_secrets(app.config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**config.database_options(app.config),
                                               **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}

    from bot import cli
    from bot.webhook import inbound
    from infra import jobs, logs, state
    from models import db

    trust_proxies(app)
    app.url_value_preprocessor(ids_in_range)
    logs.init_app(app)
    db.init_app(app)
    state.init_app(app)
    jobs.init_app(app)
    inbound.init_app(app)
    cli.init_app(app)
    register_blueprints(app)
    app.after_request(no_sniffing)
    if app.config["WARM_UP"]:
        warm_up_in_background()
    return app


def no_sniffing(response):
    """Browsers take every response as the type it says (the console sets its own headers too)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def trust_proxies(app: Flask) -> None:
    hops = app.config["PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def warm_up() -> None:
    """Load what answering needs now, so the first resident's question is not the slow one: the
    knowledge, and every capability's chat routes (gunicorn's master calls it before forking, so
    the workers share it)."""
    from sqlalchemy.orm import configure_mappers

    from handlers import load_routes
    from handlers.understanding import preload

    preload()
    load_routes()
    configure_mappers()  # SQLAlchemy does it on the first query otherwise: 6 MB more per worker


def warm_up_in_background() -> None:
    import threading

    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()


def register_blueprints(app: Flask) -> None:
    from bot import admin, api, errors
    from bot.site.health import health
    from bot.site.links import tracked
    from bot.site.metrics import metrics
    from bot.webhook import gate, retries
    from bot.webhook.views import webhook

    gate.init_app(app)
    retries.init_app(app)
    app.register_blueprint(webhook)
    api.init_app(app)
    app.register_blueprint(health)
    app.register_blueprint(metrics)
    app.register_blueprint(tracked)  # /r/<token>: campaign links, counted
    admin.init_app(app)
    errors.init_app(app)
    if app.config["SIMULATOR_ENABLED"]:
        from bot.site.simulator import simulator

        app.register_blueprint(simulator)
