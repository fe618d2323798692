from flask import Blueprint

bp = Blueprint("health", __name__, url_prefix="/status")


@bp.route("/health")
def health():
    return {"ok": True}
