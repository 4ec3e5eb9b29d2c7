"""The ceiling: a Flask app that answers every request with a few bytes of JSON."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return {"hello": "world"}
