"""The languages Rebook speaks: codes as Babel and Accept-Language name them, with each
language's own name for itself (what a language picker shows)."""

DEFAULT = "en"

# code -> the language's name in that language
SUPPORTED = {
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
}


def known(code):
    """The code if Rebook speaks it, else None ('de-AT' and 'DE' count as 'de')."""
    if not code:
        return None
    base = str(code).strip().replace("_", "-").split("-", 1)[0].lower()
    return base if base in SUPPORTED else None
