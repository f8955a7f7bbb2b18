"""tests/slow/ holds the tests that start processes or servers, race, or fuzz: every test here
is marked `slow`, so `-m "not slow"` and the folders agree."""
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.slow)
