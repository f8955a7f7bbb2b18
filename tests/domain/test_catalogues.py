"""The German and Spanish catalogues are complete and current: every message the code and
templates mark is in each catalogue, translated (not empty, not fuzzy) with the same
placeholders, and nothing stale is left; the compiled catalogues the app reads are not older
than what they were compiled from. So no untranslated string reaches a customer's page.
(`make translations` brings the catalogues up to date; README's Languages section.)"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "translations"
TRANSLATED = ("de", "es")
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")


def _ids(catalog):
    return {m.id for m in catalog if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What `make translations` extracts, to a file of the test's own."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "--no-location",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "portal", "templates"],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        return read_po(f)


def catalogue(language):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def test_extraction_finds_the_customer_pages_messages(extracted):
    """The comparison below means something only if extraction reads code and templates."""
    ids = _ids(extracted)
    for message in ("Cancel this booking?", "Your booking %(ref)s is cancelled",
                    "Hello %(name)s,", "Scheduled", "Not found", ("time", "times")):
        assert message in ids


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalogue_holds_exactly_what_the_code_and_templates_mark(extracted, language):
    have, want = _ids(catalogue(language)), _ids(extracted)
    assert not want - have, (f"not in translations/{language} (run `make translations` and "
                             f"translate them): {sorted(map(str, want - have))}")
    assert not have - want, (f"stale in translations/{language} (run `make translations`): "
                             f"{sorted(map(str, have - want))}")


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(language):
    problems = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s and s.strip() for s in strings):
            problems.append(f"untranslated or fuzzy: {message.id!r}")
            continue
        wanted = sorted(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {message.id!r} -> {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_current(language):
    po = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, \
        f"{mo.relative_to(ROOT)} is missing or older than its .po: run `make install`"
