"""tests/domain/ holds tests that need no Flask app: collecting one that asks for the app (or a
client) here is an error, so the folder stays quick to run."""
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
APP_FIXTURES = {"app", "client", "world", "customer_client"}


def pytest_collection_modifyitems(config, items):
    wrong = sorted(item.nodeid for item in items
                   if HERE in Path(str(item.path)).resolve().parents
                   and APP_FIXTURES & set(item.fixturenames))
    if wrong:
        raise pytest.UsageError("tests/domain/ is for tests without the app; move these to "
                                "tests/web/: " + ", ".join(wrong))
