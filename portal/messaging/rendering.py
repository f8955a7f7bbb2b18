"""Emails rendered when they are sent, not when they are queued.

A request that queues an email this way stores only plain values (`pack`): the booking's
fields, the customer's name, the business's contacts. The worker renders the text, HTML and
.ics from them as it sends (`render`, through OutboxMessage's fields), so the cancel POST no
longer pays for two templates, a signed link and a calendar per email (about a fifth of it).
The values are a snapshot: what the email says is what was true when it was queued, as before.

A render that fails (a template error, a value missing) fails that one message the way a
refused address does: it stays in the outbox, retried with backoff, its error in the email log.
"""
import json
import re
from datetime import datetime
from types import SimpleNamespace

from flask import current_app
from jinja2.ext import _make_new_ngettext
from jinja2.runtime import Context

from ..bookings.links import make_token
from ..kernel.i18n import bound_template_gettext, translations
from ..kernel.row_objects import field_values
from ..kernel.timefmt import when
from ..kernel.urls import external_url
from ..settings import contact_line
from . import business_templates
from .calendar import booking_ics
from .email_context import EmailContext
from .language import writing_in

_DATETIME = "$dt"  # {"$dt": "2026-12-01T09:00:00"}: a naive UTC datetime in the JSON


def _encode(value):
    if isinstance(value, datetime):
        return {_DATETIME: value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not a plain value for an outbox template")


def _decode(obj):
    if len(obj) == 1 and _DATETIME in obj:
        return datetime.fromisoformat(obj[_DATETIME])
    return SimpleNamespace(**obj)


# json.dumps(values, default=_encode, separators=(",", ":")), its encoder made once (dumps
# makes one per call when given options; an encoder keeps only them: shared by every thread)
_PACKER = json.JSONEncoder(default=_encode, separators=(",", ":"))


def pack(**values):
    """The values an email needs, as the JSON its outbox row keeps."""
    return _PACKER.encode(values)


def packed(values):
    """`values` (a dict) with each datetime as pack writes it ({"$dt": ...}, what _encode
    gives the encoder): the same JSON from pack, without the encoder calling back for it
    each time the values are packed."""
    return {name: {_DATETIME: value.isoformat()} if type(value) is datetime else value
            for name, value in values.items()}


def unpack(text):
    return json.loads(text, object_hook=_decode)


# -- what the queue side takes from its rows (only what the templates read) ---------------

BOOKING_FIELDS = ("id", "ref", "version", "customer_id", "starts_at", "ends_at", "address",
                  "price", "cancel_reason_label", "cancel_note")


def booking_values(booking):
    return field_values(booking, BOOKING_FIELDS)


SETTINGS_FIELDS = ("business_name", "contact_phone", "contact_email", "timezone", "currency")


def settings_values(settings):
    return field_values(settings, SETTINGS_FIELDS)


def person_values(person):
    return {"id": person.id, "name": person.name, "email": person.email}


# -- the render side ------------------------------------------------------------------------

# What a link token is made of (URL-safe base64 and dots): a URL path keeps it as it is.
_TOKEN = re.compile(r"[A-Za-z0-9_.-]+")
_MARK = "rebooktokenmark"


def link_url(purpose, booking):
    """An absolute signed link for one booking (see portal/bookings/links.py)."""
    endpoint = "links.booking.show" if purpose == "view" else f"links.booking.{purpose}"
    app = current_app._get_current_object()
    token = make_token(app.config["SECRET_KEY"], purpose, booking)
    # The URL around the token is the same for every booking: built once per endpoint and
    # BASE_URL with a marker where the token goes, kept on the app (werkzeug's build was a
    # tenth of an email).
    kept = app.extensions.setdefault("rebook.link_urls", {})
    key = (endpoint, app.config["BASE_URL"])
    pieces = kept.get(key)
    if pieces is None:
        url = external_url(endpoint, token=_MARK)
        before, mark, after = url.partition(_MARK)
        pieces = (before, after) if mark and _MARK not in after else False
        if len(kept) >= 64:
            kept.clear()
        kept[key] = pieces
    if pieces and _TOKEN.fullmatch(token):
        return f"{pieces[0]}{token}{pieces[1]}"
    return external_url(endpoint, token=token)


def _settings(values):
    # contact_line as Settings has it, for the templates that say "contact us on …"
    values.contact_line = contact_line(values.contact_phone, values.contact_email)
    return values


def _both(name, **context):
    """Text and HTML straight from the app's Jinja environment: Flask's render_template would
    run the app's context processors, which outside a request read the settings row twice
    per template (four queries an email, in the worker); the values here are all the
    templates read."""
    env = current_app.jinja_env
    context.update(_translating())
    return (render_flat(env.get_template(f"emails/{name}.txt"), context),
            render_flat(env.get_template(f"emails/{name}.html"), context))


def render_flat(template, context):
    """template.render(**context), with the template's globals and the values in one plain
    dict: render() copies its globals out of a ChainMap key by key into every new context,
    and each {% import %} compares their names with the kit's again, a sixth of an email's
    Python calls. The same names and values reach the template, so the text is the same; the
    kit is imported as it was (no globals of the email's own to hand it). The app's pages
    render through it too (web/app/page_kit.render_page)."""
    names = {}
    for scope in reversed(template.globals.maps):  # the environment's, then the template's
        names.update(scope)
    names.update(context)
    env = template.environment
    # jinja2's Context, calls made quicker (email_context.py; the app's pages use it too,
    # web/app/page_kit.py); another context_class set on the environment is used instead
    context_class = EmailContext if env.context_class is Context else env.context_class
    try:
        return env.concat(template.root_render_func(
            context_class(env, names, template.name, template.blocks)))
    except Exception:
        return template.environment.handle_exception()  # the template's own traceback


def _translating():
    """`_`, gettext and ngettext for the templates, bound to the language being written: the
    ones the app installs look the translations up again for every string (a dozen and more
    an email, a third of rendering one in the worker). The same wrapping (newstyle: escaped in
    HTML, %-formatted), so the text is the same."""
    found = translations()
    # Bound once per catalogue and kept on it (a catalogue loaded afresh is another object)
    bound = found.__dict__.get("rebook_template_gettext")
    if bound is None:
        gettext = bound_template_gettext(found)
        bound = found.rebook_template_gettext = {
            "_": gettext, "gettext": gettext, "ngettext": _make_new_ngettext(found.ungettext)}
    return bound


# The times an email shows are formatted here, once for its text and HTML both: the templates
# take them as text (`|when` in each of the two ran it twice an email, twice a visit).


def _timed(visits, tz):
    """A series' visits with their times as the email shows them (`was`: a moved one's old)."""
    for visit in visits:
        visit.when = when(visit.starts_at, tz)
        if hasattr(visit, "old_starts_at"):
            visit.was = when(visit.old_starts_at, tz)
    return visits


def _booking_cancelled(v):
    settings = _settings(v.settings)
    # rows queued before refunds were asked for by the cancellation lack it
    refund = getattr(v, "refund", None)
    links = dict(view_url=link_url("view", v.booking),
                 book_url=external_url("customer.bookings.schedule"))
    own = _own_cancelled(v, settings, refund, links)
    text, html = (own["text"], own["html"]) if own else _both(
        "booking_cancelled", booking=v.booking, customer=v.customer, service=v.service,
        settings=settings, starts_at=when(v.booking.starts_at, settings.timezone), fee=v.fee,
        refund=refund, **links)
    return text, html, booking_ics(v.booking, v.service, settings, "CANCEL", v.customer)


def _own_cancelled(v, settings, refund, links):
    """The business's own cancellation template, when the row was queued with one in mind
    (emails.queue_booking_cancelled); rows from before templates have neither field."""
    if not getattr(v, "own_template", False):
        return None
    language = v.language
    return business_templates.compose(
        "booking_cancelled", language, settings, lambda: business_templates.cancellation_values(
            v.booking, v.customer, v.service, settings, v.fee, refund, links),
        listed={f"booking_cancelled:{language}"})


def _staff_booking_cancelled(v):
    settings = _settings(v.settings)
    text, html = _both("staff_booking_cancelled", booking=v.booking, customer=v.customer,
                       service=v.service, staff=v.staff, settings=settings,
                       starts_at=when(v.booking.starts_at, settings.timezone),
                       job_url=external_url("fieldworker.jobs.show", ref=v.booking.ref))
    return text, html, ""


def _series_cancelled(v):
    """Several visits of a series cancelled at once: one email, one calendar per visit
    (mime.build attaches each VCALENDAR as its own file)."""
    settings = _settings(v.settings)
    text, html = _both("series_cancelled", visits=_timed(v.visits, settings.timezone),
                       kept=_timed(v.kept, settings.timezone), customer=v.customer,
                       settings=settings,
                       book_url=external_url("customer.bookings.schedule"))
    ics = "".join(booking_ics(visit, SimpleNamespace(name=visit.service), settings, "CANCEL",
                              v.customer) for visit in v.visits)
    return text, html, ics


def _series_moved(v):
    """Several visits of a series moved at once: one email, an updated invite per visit."""
    settings = _settings(v.settings)
    text, html = _both("series_moved", visits=_timed(v.visits, settings.timezone),
                       customer=v.customer, settings=settings)
    ics = "".join(booking_ics(visit, SimpleNamespace(name=visit.service), settings, "REQUEST",
                              v.customer) for visit in v.visits)
    return text, html, ics


TEMPLATES = {"booking_cancelled": _booking_cancelled,
             "staff_booking_cancelled": _staff_booking_cancelled,
             "series_cancelled": _series_cancelled,
             "series_moved": _series_moved}


def render(template, context):
    """{"body_text", "body_html", "ics"} for an outbox row queued as `template`."""
    try:
        make = TEMPLATES[template]
    except KeyError:
        raise LookupError(f"no email template {template!r}: this Rebook cannot render it "
                          "(queued by a newer version?); send it again after upgrading") from None
    values = unpack(context)
    # rows queued before languages were kept are English
    with writing_in(getattr(values, "language", "en")):
        text, html, ics = make(values)
    return {"body_text": text, "body_html": html, "ics": ics}
