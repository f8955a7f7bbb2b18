"""Tappable contacts: a phone number as a `tel:` link and an address as a maps search, so a
fieldworker on the road calls or navigates with one tap."""
import re
from urllib.parse import quote

# A universal maps URL: phones open their maps app, desktops the web page.
MAPS_SEARCH = "https://www.google.com/maps/search/?api=1&query="


def tel_href(phone):
    """'+1 (555) 010-2000' -> 'tel:+15550102000'; None when there are no digits to dial."""
    text = (phone or "").strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        return None
    return "tel:" + ("+" if text.startswith("+") else "") + digits


def maps_href(address):
    """A maps search for the address, every character that means something in a URL escaped
    (so '#4, 10 Main St & 2nd' stays one query); None for no address."""
    text = " ".join((address or "").split())
    return MAPS_SEARCH + quote(text, safe="") if text else None

