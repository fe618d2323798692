from flask import Flask

app = Flask(__name__)


@app.route("/ready/")
def ready():
    return "ok"


@app.before_request
def short_circuit():
    from flask import request
    if request.path == "/livez":
        return "ok"
