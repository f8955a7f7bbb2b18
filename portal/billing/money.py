"""Reading and checking amounts people type; tax in integer arithmetic (no float drift)."""
import re

from ..kernel.errors import InvalidInput

MAX_FEE_MAJOR = 1_000_000
MAX_FEE = MAX_FEE_MAJOR * 100
_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$")
_RATE = re.compile(r"^\d{1,3}(?:\.(\d{1,2}))?$")


def parse_amount(text, what="The fee"):
    """'40', '40.5', '$1,040.00' -> minor units; raises InvalidInput saying what is wrong."""
    raw = (text or "").strip().replace(" ", "")
    raw = raw.lstrip("$£€")
    if raw.startswith("-"):
        raise InvalidInput(f"{what} can't be negative. Enter 0 or more.")
    if not raw:
        raise InvalidInput(f"{what} is empty. Enter an amount such as 40.00 (0 for none).")
    match = _AMOUNT.match(raw)
    if not match:
        raise InvalidInput(f"{what} \u201c{text.strip()[:40]}\u201d isn't an amount. "
                           f"Enter a number such as 40.00.")
    whole, _, cents = raw.replace(",", "").partition(".")
    minor = int(whole) * 100 + int((cents + "00")[:2])
    return check_fee(minor, what)


def check_fee(minor, what="The fee"):
    """An amount in minor units within 0..1,000,000.00, or InvalidInput."""
    if minor < 0:
        raise InvalidInput(f"{what} can't be negative. Enter 0 or more.")
    if minor > MAX_FEE:
        raise InvalidInput(f"{what} is more than {MAX_FEE_MAJOR:,}. Check the amount.")
    return minor


def parse_rate(text):
    """'8.25' (per cent) -> 825 basis points, 0..100 %."""
    raw = (text or "").strip().rstrip("%").strip()
    match = _RATE.match(raw)
    if not match:
        raise InvalidInput("The tax rate must be a percentage such as 8.25 (0 for none).")
    whole, _, frac = raw.partition(".")
    bp = int(whole) * 100 + int((frac + "00")[:2])
    if bp > 10_000:
        raise InvalidInput("The tax rate can't be more than 100 %.")
    return bp


def tax_on(amount, rate_bp):
    """Tax on `amount` (minor units) at `rate_bp`, rounded half up to the minor unit."""
    return (amount * rate_bp + 5_000) // 10_000


def amount_text(minor):
    """Minor units as a form field shows them: 4000 -> '40.00'."""
    return f"{minor // 100}.{minor % 100:02d}"


def rate_text(bp):
    return f"{bp // 100}.{bp % 100:02d}".rstrip("0").rstrip(".") if bp else "0"
