"""url_for(endpoint, ref=ref) for one booking's (or order's) page, the URL around the ref kept.

After a plain cancel POST the customer is redirected to the booking's page: a URL that is the
same for every booking but for its ref. Flask's url_for injects URL defaults, looks the rule
up, runs the converter's quote on the ref and joins the script name in front: about 30 Python
calls, a fortieth of the POST. Here the URL is built once per endpoint and place (script name,
scheme, server name, blueprint: the app's kept URLs' place, page_kit.KeptUrls) with a marker
for the ref, as messaging/rendering.link_url does for the emails' links, and a ref is put in
its place. Only a ref that quote() leaves as it is (letters, digits, `_.-~`: every ref Rebook
makes) goes in directly; any other ref, a request with URL defaults or no request at all is
url_for's own. Kept on the app, so each app in a process has its own.
"""
import re

from flask import url_for
from flask.globals import _cv_app

# What werkzeug's path converter leaves unquoted whatever its `safe` characters: a ref made of
# these is the same text in the URL.
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]+")
_MARK = "rebookrefmark"
KEPT = 64  # (endpoint, place) pairs per app; cleared when full


def ref_url(endpoint, ref):
    """url_for(endpoint, ref=ref), the same text."""
    ctx = _cv_app.get(None)
    if ctx is None or type(ref) is not str or not _PLAIN.fullmatch(ref):
        return url_for(endpoint, ref=ref)
    extensions = ctx.app.extensions
    urls = extensions.get("rebook.kept_urls")  # (page_kit.init_app's, in every app Rebook makes)
    place = None if urls is None else urls.place()  # None: URL defaults, or no request
    if place is None:
        return url_for(endpoint, ref=ref)
    kept = extensions.get("rebook.ref_urls")
    if kept is None:
        kept = extensions["rebook.ref_urls"] = {}
    key = (endpoint, place)
    pieces = kept.get(key)
    if pieces is None:
        url = url_for(endpoint, ref=_MARK)
        # False: the marker is not there exactly once (a converter of another kind, or a
        # script name that holds it): url_for each time
        before, _, after = url.partition(_MARK)
        pieces = (before, after) if url.count(_MARK) == 1 else False
        if len(kept) >= KEPT:
            kept.clear()
        kept[key] = pieces
    if pieces:
        return f"{pieces[0]}{ref}{pieces[1]}"
    return url_for(endpoint, ref=ref)
