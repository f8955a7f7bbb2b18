"""One `g` per request: replaces pytest-flask's autouse `_push_request_context` in the modules
that import it (an override can't live in a conftest without reaching every module below)."""
import pytest


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replaces pytest-flask's: with its request context pushed, every request shares one `g`,
    so Flask-Login's per-request user would leak from one client (and request) into the next.
    Here each request loads its user afresh, as in production."""
