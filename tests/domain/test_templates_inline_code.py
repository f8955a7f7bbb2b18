"""No page template holds code the Content-Security-Policy refuses
(portal/web/app/security_headers.py): everything runs from static/app.js and is styled from
static/app.css.

The browser test (tests/browser/test_csp.py) proves the pages work under the policy; this scan
names the file and line the moment someone adds inline code back.
"""
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Inline code the policy refuses: <script> without src, <style>, style="", on*="" handlers,
# javascript: URLs, and htmx's eval features (hx-on, hx-vars, js: values).
INLINE = [
    ("inline script", re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)),
    ("style block", re.compile(r"<style\b", re.I)),
    ("style attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("event handler", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("javascript: URL", re.compile(r"javascript:", re.I)),
    ("hx-on", re.compile(r"\b(?:data-)?hx-on", re.I)),
    ("hx-vars", re.compile(r"\b(?:data-)?hx-vars", re.I)),
    ("js: value", re.compile(r"""\bhx-(?:vals|headers)\s*=\s*['"]\s*js:""", re.I)),
]


JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


def _page_templates():
    # Emails are mail, not pages: mail clients need their inline styles, and the only place
    # Rebook shows one is the sandboxed preview with its own policy.
    return sorted(p for p in TEMPLATES.rglob("*.html")
                  if "emails" not in p.relative_to(TEMPLATES).parts)


def test_the_template_scan_sees_every_page_template():
    names = {str(p.relative_to(TEMPLATES)) for p in _page_templates()}
    assert {"base.html", "admin/reports/_charts.html", "booking/_cancel_modal.html"} <= names
    assert not any(n.startswith("emails/") for n in names)


@pytest.mark.parametrize("kind,pattern", INLINE, ids=[k for k, _ in INLINE])
def test_the_scan_catches_inline_code(kind, pattern):
    samples = {
        "inline script": "<script>alert(1)</script>", "style block": "<style>p{}</style>",
        "style attribute": '<p style="color:red">', "event handler": '<a onclick="x()">',
        "javascript: URL": '<a href="javascript:x()">', "hx-on": '<a hx-on:click="x()">',
        "hx-vars": '<a hx-vars="a:1">', "js: value": "<a hx-vals='js:{a: 1}'>",
    }
    assert pattern.search(samples[kind])
    assert not pattern.search('<script src="/static/app.js" defer></script> <form action="/x">'
                              ' <a class="badge-scheduled" data-modal hx-vals=\'{"a": 1}\'>')


@pytest.mark.parametrize("kind,pattern", INLINE, ids=[k for k, _ in INLINE])
def test_no_template_holds_inline_code(kind, pattern):
    found = []
    for path in _page_templates():
        # Jinja comments never reach the browser (newlines kept, so line numbers stay true).
        text = JINJA_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text())
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}")
    assert not found, f"{kind} (refused by the Content-Security-Policy):\n" + "\n".join(found)
