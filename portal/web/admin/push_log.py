"""The push log: every Web Push sent to a staff device, like the email log."""
from flask import Blueprint, render_template

from ...messaging.queries import push_log

bp = Blueprint("push_log", __name__, url_prefix="/push-log")


@bp.get("")
def index():
    return render_template("admin/push_log.html", pushes=list(push_log()))
