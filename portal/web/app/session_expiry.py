"""A form sent after the session ended (or with a stale security token) keeps what was typed.

htmx: a 401 (not logged in any more) or 400 (stale token) carrying a notice; static/app.js puts
it at the top of the open dialog, leaves the form as it was and refreshes the form's token, so
after logging in again (in a new tab) the same button sends the same text. With no dialog open
the notice shows as one. Never a redirect: htmx would swap the login page in, or follow it and
drop the dialog with the note in it.
Without JavaScript: a page that says so, with what was typed in a form that sends it again
and a login link (new tab) carrying `next` back to the page the form came from.
"""
from urllib.parse import urlsplit

from flask import make_response, render_template, request

from .htmx import into_modal, is_htmx

# Fields a person typed and should see again; every other field rides along hidden.
TYPED = {"note": "Your note", "notes": "Notes", "reason_note": "Your note",
         "address": "Address", "message": "Message"}
SECRET_WORDS = ("password", "csrf_token")
NOT_KEPT = {"auth.login", "auth.logout"}
EXPIRED = "Your session expired — log in again; what you typed is kept. Nothing was changed."
STALE = ("Your form expired or was sent without its security token, so nothing was changed. "
         "What you typed is kept: send it again.")


def _page_url():
    """The page to come back to after logging in: the one htmx says is open, else this one
    (a POST's own URL is its confirm step's GET)."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if is_htmx() and current.path.startswith("/") and current.netloc == request.host:
        return current.path + (f"?{current.query}" if current.query else "")
    return request.full_path.rstrip("?")


def _fields():
    kept = [(k, v) for k, v in request.form.items(multi=True)
            if not any(word in k for word in SECRET_WORDS)]
    return ([(k, TYPED[k], v) for k, v in kept if k in TYPED],
            [(k, v) for k, v in kept if k not in TYPED])


def expired_answer(status, logged_out, stale_token=False):
    """The answer for a request that can't act because of the session (`logged_out`) or its
    form's token (`stale_token`), or None where the usual answer stands: a plain GET goes to
    the login page as before, and the login form itself has nothing worth keeping."""
    if request.endpoint in NOT_KEPT:
        return None
    message = STALE if stale_token else EXPIRED
    if is_htmx():
        response = make_response(render_template(
            "app/_session_expired.html", message=message, logged_out=logged_out,
            login_next=_page_url()), status)
        response.headers["X-Session-Expired"] = "1"
        return into_modal(response)
    if request.method != "POST":
        return None
    shown, hidden = _fields()
    return render_template("app/resend.html", message=message, logged_out=logged_out,
                           shown=shown, hidden=hidden, action=request.full_path.rstrip("?"),
                           login_next=_page_url()), status
