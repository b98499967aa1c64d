"""The ceiling: a Flask app that answers WeChat's 'success', and a fixed JSON for the sorting API,
doing nothing else."""
from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/wechat")
    def success():
        return "success"

    @app.get("/api/v1/sorting")
    def sorting():
        return {"query": "塑料瓶", "answers": []}

    return app
