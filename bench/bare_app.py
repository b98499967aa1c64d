"""The ceiling: a Flask app that answers WeChat's 'success' and does nothing else."""
from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/wechat")
    def success():
        return "success"

    return app
