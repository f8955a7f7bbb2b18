"""Entry point for `flask --app wsgi` and WSGI servers."""
import sys

from portal import create_app
from portal.kernel.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as exc:
    # The first thing an operator sees: which variable to set and how, not a traceback.
    sys.exit(f"Rebook can't start: {exc}")
