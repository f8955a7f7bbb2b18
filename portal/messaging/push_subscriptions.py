"""Staff devices subscribing to Web Push, and leaving it.

The browser hands the page a subscription (an endpoint URL at its push service, and two keys);
the page posts it here. The endpoint is where the worker will later POST, so it gets the same
guard as a webhook URL (portal/integrations/targets.py): never loopback, private, link-local or
metadata addresses, unless the server operator allows a host with PUSH_ALLOWED_HOSTS. The keys
must be what a browser makes: a P-256 public key (65 bytes) and a 16-byte secret.
"""
import binascii

from cryptography.hazmat.primitives.asymmetric import ec

from ..integrations import targets
from ..kernel.clock import utcnow
from ..kernel.db import write_transaction
from ..kernel.errors import InvalidInput, NotFound
from .push_keys import b64url_decode
from .push_models import PushSubscription

SETTING = "PUSH_ALLOWED_HOSTS"
ENDPOINT_MAX = 1024
USER_AGENT_MAX = 200
DEVICES_MAX = 10  # per staff member: phones, tablets, a desk browser or two
BAD_SUBSCRIPTION = ("This browser sent a push subscription we can't use. Reload the page and "
                    "turn push notifications on again.")


def check_endpoint(endpoint, *, require_https: bool) -> str:
    """The endpoint if the worker may POST to it; InvalidInput saying why not otherwise."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > ENDPOINT_MAX:
        raise InvalidInput(BAD_SUBSCRIPTION, "endpoint")
    if require_https and not endpoint.startswith("https://"):
        raise InvalidInput("Push notifications need a secure (https://) push service address; "
                           "this browser offered another. Try an up-to-date browser.",
                           "endpoint")
    try:
        targets.vet(endpoint, look_up_allowed=False, setting=SETTING,
                    sends="push notifications")
    except targets.RefusedTarget as exc:
        raise InvalidInput(exc.message, "endpoint") from None
    except InvalidInput:  # not a web address at all, or a name that doesn't resolve
        raise InvalidInput(BAD_SUBSCRIPTION, "endpoint") from None
    return endpoint


def _key(text, size, check_point=False) -> str:
    if not isinstance(text, str) or not 0 < len(text) <= 100:
        raise InvalidInput(BAD_SUBSCRIPTION, "keys")
    try:
        raw = b64url_decode(text.strip())
        if len(raw) != size:
            raise ValueError
        if check_point:  # on the curve, uncompressed: what PushManager gives
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except (ValueError, binascii.Error):
        raise InvalidInput(BAD_SUBSCRIPTION, "keys") from None
    return text.strip().rstrip("=")


def subscribe(staff_id: int, endpoint, p256dh, auth, user_agent: str = "", *,
              require_https: bool) -> PushSubscription:
    """Keep this device's subscription for the staff member (again is fine; a device another
    staff member subscribed on now belongs to whoever subscribed last)."""
    endpoint = check_endpoint(endpoint, require_https=require_https)
    row = {"staff": staff_id, "endpoint": endpoint, "p256dh": _key(p256dh, 65, True),
           "auth": _key(auth, 16), "user_agent": (user_agent or "")[:USER_AGENT_MAX],
           "created_at": utcnow(), "last_success_at": None, "failures": 0}
    with write_transaction():
        others = (PushSubscription.select()
                  .where((PushSubscription.staff == staff_id)
                         & (PushSubscription.endpoint != endpoint)).count())
        if others >= DEVICES_MAX:
            raise InvalidInput(f"You already get push notifications on {DEVICES_MAX} devices. "
                               "Remove one you no longer use below, then try again.", "endpoint")
        (PushSubscription.insert(**row)
         .on_conflict(conflict_target=[PushSubscription.endpoint],
                      update={k: row[k] for k in ("staff", "p256dh", "auth", "user_agent",
                                                  "created_at", "failures")})
         .execute())
    return PushSubscription.get(PushSubscription.endpoint == endpoint)


def unsubscribe(staff_id: int, endpoint=None, subscription_id=None) -> int:
    """Forget one of this staff member's devices, by its endpoint (the page, as the browser
    unsubscribes) or its id (the device list). Someone else's is NotFound."""
    where = PushSubscription.staff == staff_id
    if subscription_id is not None:
        where &= PushSubscription.id == subscription_id
    elif isinstance(endpoint, str) and endpoint:
        where &= PushSubscription.endpoint == endpoint[:ENDPOINT_MAX]
    else:
        raise InvalidInput(BAD_SUBSCRIPTION, "endpoint")
    with write_transaction():
        removed = PushSubscription.delete().where(where).execute()
    if not removed and subscription_id is not None:
        raise NotFound("We couldn't find that device. It may have been removed already.")
    return removed


def devices(staff_id: int) -> list[PushSubscription]:
    return list(PushSubscription.select().where(PushSubscription.staff == staff_id)
                .order_by(PushSubscription.created_at, PushSubscription.id))
