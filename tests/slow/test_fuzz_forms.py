"""Every form and filter of the app, as each kind of user finds them by following links, sent
with bad values one field at a time: never a 5xx; a refusal is a 4xx that says what was wrong
and leaves every row as it was. An accepted post rebuilds the business (same ids and refs).

The values are the ones a fuzzer found 500s with (issue 15): NUL and other control characters,
ids past 2**63, negative and zero numbers, years 0001 and 9999, very long text."""
import pytest
from werkzeug.datastructures import MultiDict

from portal.kernel.ratelimit import RateLimitHit
from tests.support.form_crawl import crawl, endpoint
from tests.support.forms import csrf_from, login
from tests.support.fuzz_world import build, changed, snapshot

pytestmark = pytest.mark.slow

BAD = {
    "nul": "Fuzz\x00text",
    "control": "Fuzz\x1b[2J\x07",
    "c1": "Fuzz\x85\x9b",
    "2**63": str(2**63),
    "-1": "-1",
    "0": "0",
    "10**30": str(10**30),
    "year 9999": "9999-12-31",
    "year 0001": "0001-01-01",
    "moment 9999": "9999-12-31T23:59",
    "moment 0001": "0001-01-01T00:00",
    "10,000 chars": "x" * 10_000,
}
# Filters that links carry rather than forms (pagination, per-page choice).
LINK_PARAMS = ("page", "per")
ROLES = {"admin": "admin@example.com", "fieldworker": "fw@example.com",
         "customer": "customer@example.com", "signed link": None, "visitor": None}
READABLE = ('role="alert"', 'class="error"', 'aria-invalid="true"', "class=\"flash")


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replaces pytest-flask's: each request loads its user afresh, as in production."""


def start_pages(app, role, tokens):
    """Every GET address without parameters, and the signed links and account links."""
    plain = [rule.rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.arguments and "static" not in rule.rule]
    if role == "signed link":
        return [f"/l/{tokens['link-view']}", f"/l/{tokens['link-cancel']}/cancel",
                f"/l/{tokens['link-reschedule']}/reschedule", f"/l/w/{tokens['waitlist-offer']}"]
    if role == "visitor":
        return ["/login", "/forgot-password", f"/account/invite/{tokens['invite']}",
                f"/account/reset/{tokens['reset']}", f"/account/email/{tokens['email']}"]
    return sorted(plain)


class Session:
    """One user's browser on the current world; `refresh` after the world is rebuilt."""

    def __init__(self, app, role):
        self.app, self.role = app, role
        self.world, self.tokens = build(app)
        self.first_tokens = dict(self.tokens)
        self.client = app.test_client()
        self.log_in()
        self.forms, self.visited = crawl(app, self.client, start_pages(app, role, self.tokens))
        self.before, self.dirty = snapshot(), False

    def log_in(self):
        if ROLES[self.role]:
            login(self.client, ROLES[self.role])
        page = self.client.get("/login", follow_redirects=True).get_data(as_text=True)
        self.csrf = csrf_from(page) if 'name="csrf_token"' in page else ""

    def url(self, path):
        """A path found on the first world, with this world's tokens."""
        for name, token in self.first_tokens.items():
            path = path.replace(token, self.tokens[name])
        return path

    def stay_logged_in(self):
        if ROLES[self.role] and self.client.get("/login").status_code == 200:
            self.log_in()  # the post logged us out

    def rebuild(self):
        """The same rows again (same ids, so the session still names its user)."""
        self.world, self.tokens = build(self.app)
        self.stay_logged_in()
        self.before, self.dirty = snapshot(), False


def check(session, response, what, method):
    """None when the answer is right, else what was wrong. Sets session.dirty when a post was
    accepted (the world may have changed)."""
    status = response.status_code
    if status >= 500:
        return f"{what}: {status}"
    if status < 400 and method == "post":
        session.dirty = snapshot() != session.before  # else only a new login may be needed
        if not session.dirty:
            session.stay_logged_in()
        return None
    body = response.get_data(as_text=True)
    if status >= 400 and response.mimetype == "text/html" \
            and not any(mark in body for mark in READABLE):
        return f"{what}: {status} with no message"
    after = snapshot()
    if after != session.before:
        session.dirty = True
        return f"{what}: {status} but changed {changed(session.before, after)}"  # GETs never
    return None


def fuzz_form(session, form, bad):
    """Each field of `form` with each bad value, the others as the page filled them in."""
    problems = []
    names = set(form.names()) | (set(LINK_PARAMS) if form.method == "get" else set())
    for name in sorted(names):
        for label, value in bad.items():
            RateLimitHit.delete().execute()  # every value gets a fresh set of tries
            data = form.data(**{name: value})
            what = f"{session.role} {form.method.upper()} {form.action} {name}={label}"
            if form.method == "post":
                data = [(k, session.csrf if k == "csrf_token" else v) for k, v in data]
                response = session.client.post(session.url(form.action), data=MultiDict(data))
            else:
                response = session.client.get(session.url(form.action.split("?")[0]),
                                              query_string=MultiDict(data))
            problems.append(check(session, response, what, form.method))
            if session.dirty:
                session.rebuild()
    return [p for p in problems if p]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_form_field_refuses_bad_values_without_a_5xx(app, role):
    session = Session(app, role)
    assert session.forms, f"{role} found no forms"
    errors = [(path, status) for path, status in session.visited if status >= 500]
    assert not errors, errors
    problems = [p for form in session.forms for p in fuzz_form(session, form, BAD)]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_walk_reaches_every_form_route(app):
    """The fuzz is only as good as its walk: every route that takes a POST is reached by some
    user's form (the JSON API has its own fuzz, tests/slow/test_api_schemathesis.py)."""
    reached = set()
    for role in ROLES:
        session = Session(app, role)
        reached |= {endpoint(app, f.action, "POST") for f in session.forms if f.method == "post"}
    # /setup exists only on an empty production database: tests/slow/test_setup.py sends it bad
    # input of every kind.
    # Push devices: subscribe and unsubscribe are called by static/push.js once the browser
    # made a subscription, and Remove lists only devices that exist; none exist in the walk's
    # world. tests/web/test_push_subscriptions.py sends them malformed keys, foreign devices,
    # private addresses and over-long endpoints.
    push = {"fieldworker.push.subscribe", "fieldworker.push.unsubscribe",
            "fieldworker.push.remove"}
    wanted = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in rule.methods and not rule.rule.startswith("/api/")} - {"setup.page"}
    wanted -= push
    # Settings > Emails offers Reset only for a template the business saved (none in the
    # walk's world); it takes no fields. tests/web/test_email_templates.py resets one.
    wanted -= {"admin.email_templates.reset"}
    assert not wanted - reached, sorted(wanted - reached)
