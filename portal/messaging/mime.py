"""An outbox row as the bytes an SMTP server receives, built by hand.

The standard library's email package (what Flask-Mail uses, with policy.SMTP) took 2-3 ms per
message, more than sending it; `make_msgid()` alone looked the host name up each time. The
shapes are the ones Flask-Mail made, so readers see no difference: plain text alone, or
multipart/mixed holding multipart/alternative (text, HTML) and the invite.ics attachment.
"""
import base64
import quopri
import re
import secrets
from email.header import Header
from email.utils import formataddr, formatdate, make_msgid, parseaddr

MAX_LINE = 998  # octets per line (RFC 5322); a server may refuse longer ones
# A bare ASCII address, as the outbox almost always holds: no parsing needed (parseaddr was a
# fifth of the cost of building a message).
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


class BadHeader(ValueError):
    """A line break in an address or the subject: it could smuggle in headers."""


def _checked(value, what):
    if "\r" in value or "\n" in value:
        raise BadHeader(f"the {what} contains a line break; fix it and resend the message")
    return value


def header_text(value):
    """ASCII as it is; anything else as an RFC 2047 encoded word."""
    if value.isascii():
        return value
    return Header(value, "utf-8").encode(linesep="\r\n")


def address(value):
    """'Name <box@domain>' with the name encoded and the domain in IDNA when not ASCII."""
    if _PLAIN_ADDRESS.fullmatch(value):
        return value
    name, box = parseaddr(_checked(value, "address"))
    if not box.isascii() and "@" in box:
        local, domain = box.rsplit("@", 1)
        box = f"{local}@{domain.encode('idna').decode('ascii')}"
    return formataddr((header_text(name), box)) if name else box


def named_sender(name, sender):
    """The From header: the business's name (from Settings) with the configured sender's
    address, so inboxes show "Sparkle & Co. Cleaning" rather than whatever MAIL_DEFAULT_SENDER
    was named. A name with specials is quoted, one that is not ASCII becomes RFC 2047 encoded
    words; no name keeps the sender as configured."""
    name = " ".join((name or "").split())  # a line break would start a new header
    if not name:
        return address(sender)
    box = envelope_address(sender)
    if name.isascii():
        return formataddr((name, box))
    return formataddr((Header(name, "utf-8").encode(linesep="\r\n"), box))


def envelope_address(value):
    """The bare address for MAIL FROM / RCPT TO."""
    if _PLAIN_ADDRESS.fullmatch(value):
        return value
    return parseaddr(address(value))[1]


def message_domain(sender):
    """The domain for Message-IDs: the sender's, so no host name look-up per message."""
    box = envelope_address(sender) if sender else ""
    return box.rsplit("@", 1)[1] if "@" in box else "rebook.invalid"


def _crlf(text):
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _encoded(text):
    """(Content-Transfer-Encoding, body): 7bit or 8bit as Flask-Mail sent it; quoted-printable
    when a line is too long for SMTP (an unwrapped template line would otherwise be refused)."""
    data = _crlf(text).encode("utf-8")
    if len(data) > MAX_LINE and max(map(len, data.split(b"\r\n"))) > MAX_LINE:
        return "quoted-printable", quopri.encodestring(
            data.replace(b"\r\n", b"\n")).replace(b"\n", b"\r\n")
    return ("7bit" if data.isascii() else "8bit"), data


def _text_part(text, subtype):
    encoding, body = _encoded(text)
    head = (f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            f"Content-Transfer-Encoding: {encoding}\r\n\r\n")
    return head.encode("ascii") + body


def _attachment(ics, method, filename="invite.ics"):
    data = base64.encodebytes(ics.encode("utf-8")).replace(b"\n", b"\r\n")
    method = f"; method={method}" if method else ""
    head = (f"Content-Type: text/calendar; charset=utf-8{method}\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            f'Content-Disposition: attachment; filename="{filename}"\r\n\r\n')
    return head.encode("ascii") + data


def _calendars(ics):
    """One VCALENDAR per file: an iTIP message is about one event (one UID), so an email that
    cancels several visits (a series) carries one file for each."""
    pieces = ["BEGIN:VCALENDAR" + p for p in ics.split("BEGIN:VCALENDAR") if p.strip()]
    if len(pieces) < 2:
        return [("invite.ics", ics)]
    return [(f"visit-{n}.ics", piece) for n, piece in enumerate(pieces, 1)]


def _multipart(subtype, parts):
    """(Content-Type header value, body) with a boundary that appears in no part."""
    while True:
        boundary = f"==============={secrets.token_hex(12)}=="
        mark = boundary.encode("ascii")
        if not any(mark in part for part in parts):
            break
    body = b"".join(b"--" + mark + b"\r\n" + part + b"\r\n" for part in parts)
    return f'multipart/{subtype}; boundary="{boundary}"', body + b"--" + mark + b"--\r\n"


def build(message, sender, domain, date=None):
    """The message as bytes with CRLF line ends. `sender` is the From header, made by address(),
    `domain` the Message-ID's; `date` is a Date header (formatdate()), now when not given."""
    headers = [("Subject", header_text(_checked(message.subject, "subject"))),
               ("From", sender), ("To", address(message.to_address)),
               ("Date", date or formatdate(localtime=True)),
               ("Message-ID", make_msgid(domain=domain)),
               ("X-Rebook-Message", _checked(message.dedupe_key, "dedupe key"))]
    if not message.body_html and not message.ics:
        encoding, body = _encoded(message.body_text)
        content_type = 'text/plain; charset="utf-8"'
        headers.append(("Content-Transfer-Encoding", encoding))
    else:
        parts = [_text_part(message.body_text, "plain")]
        if message.body_html:
            kind, alternative = _multipart(
                "alternative", parts + [_text_part(message.body_html, "html")])
            parts = [f"Content-Type: {kind}\r\n\r\n".encode("ascii") + alternative]
        if message.ics:
            parts += [_attachment(ics, message.ics_method, name)
                      for name, ics in _calendars(message.ics)]
        content_type, body = _multipart("mixed", parts)
    head = [("Content-Type", content_type), ("MIME-Version", "1.0")] + headers
    return "".join(f"{name}: {value}\r\n" for name, value in head).encode("ascii") + b"\r\n" + body
