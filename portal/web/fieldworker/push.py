"""Web Push for staff, per device: the page's script subscribes this browser (JSON, as
PushManager describes the subscription) or unsubscribes it; the device list removes any."""
from flask import (Blueprint, current_app, flash, jsonify, redirect, request, url_for)
from flask_login import current_user

from ...kernel.config import PRODUCTION
from ...kernel.errors import DomainError
from ...messaging import push_subscriptions

bp = Blueprint("push", __name__, url_prefix="/push")


def _subscription():
    """(endpoint, p256dh, auth) from PushSubscription.toJSON() as the page posts it, or from
    form fields of those names."""
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        form = request.form
        return form.get("endpoint"), form.get("p256dh"), form.get("auth")
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    return body.get("endpoint"), keys.get("p256dh"), keys.get("auth")


@bp.post("/subscriptions")
def subscribe():
    endpoint, p256dh, auth = _subscription()
    try:
        push_subscriptions.subscribe(
            current_user.id, endpoint, p256dh, auth,
            request.user_agent.string,
            require_https=current_app.config.get("REBOOK_MODE") == PRODUCTION)
    except DomainError as exc:
        return jsonify(message=exc.message, field=exc.code), exc.status
    return jsonify(message="Push notifications are on for this device."), 201


@bp.post("/unsubscribe")
def unsubscribe():
    endpoint = _subscription()[0]
    try:
        push_subscriptions.unsubscribe(current_user.id, endpoint=endpoint)
    except DomainError as exc:
        return jsonify(message=exc.message, field=exc.code), exc.status
    return jsonify(message="Push notifications are off for this device.")


@bp.post("/devices/<int:subscription_id>/remove")
def remove(subscription_id):
    """A plain form (no script needed): forget a device, e.g. a phone that was lost."""
    push_subscriptions.unsubscribe(current_user.id, subscription_id=subscription_id)
    flash("That device won't get push notifications any more.", "success")
    return redirect(url_for("fieldworker.notifications.index") + "#push")
