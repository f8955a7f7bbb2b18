"""The signed link in a waitlist offer email: one offer, one purpose (claiming it), expiring
with the offer. Its own salt, so no booking link opens it and it opens no booking page; the
offer's nonce in it means a link for one offer never names another, even if ids are reused."""
import hmac
from datetime import timezone

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from .links import LinkExpired, LinkInvalid

SALT = "rebook-waitlist-offer"


def _epoch(dt):
    return int(dt.replace(tzinfo=timezone.utc).timestamp())


def make_offer_token(secret, offer) -> str:
    return URLSafeSerializer(secret, salt=SALT).dumps(
        {"o": offer.id, "n": offer.nonce, "e": _epoch(offer.expires_at)})


def read_offer_token(secret, token, now) -> tuple[int, str]:
    """(offer_id, nonce) from a token, or LinkInvalid (404) / LinkExpired (410)."""
    try:
        data = URLSafeSerializer(secret, salt=SALT).loads(token)
        offer_id, nonce, expires = int(data["o"]), str(data["n"]), int(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid(_("This offer link is not valid. It may have been copied incompletely: "
                          "open it again from the email."))
    if _epoch(now) >= expires:
        raise LinkExpired(_("This offer has expired, so the time went to the next person "
                          "waiting. You are still on the waitlist: we'll email you when "
                          "another time frees up."))
    return offer_id, nonce


def same_nonce(a, b) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
