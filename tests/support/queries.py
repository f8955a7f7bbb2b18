"""Counting the SQL statements a page runs (query counts must not grow with the data)."""
import logging
from contextlib import contextmanager


@contextmanager
def statements():
    """(sql, params) of each statement peewee runs in the block, for reading its plan."""
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.msg)

    logger, handler = logging.getLogger("peewee"), Keep(logging.DEBUG)
    old_level = logger.level  # the app caps peewee at INFO (SQL carries tokens): put it back
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


@contextmanager
def count_queries():
    """Count the SQL statements peewee runs (it logs each one at DEBUG)."""
    seen = []

    class Counter(logging.Handler):
        def emit(self, record):
            if record.name == "peewee":  # not peewee.pool's "Returning ... to pool"
                seen.append(record.getMessage())

    logger, handler = logging.getLogger("peewee"), Counter(logging.DEBUG)
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def queries_for(client, url):
    client.get(url)  # warm-up: first-request work is not what we measure
    with count_queries() as seen:
        assert client.get(url).status_code == 200
    return len(seen)
