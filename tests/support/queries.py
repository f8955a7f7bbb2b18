"""Counting the SQL statements a page runs (query counts must not grow with the data)."""
import logging
from contextlib import contextmanager


@contextmanager
def _peewee_log(keep):
    """Call keep(record) for each statement peewee logs (at DEBUG) in the block."""

    class Keep(logging.Handler):
        def emit(self, record):
            if record.name == "peewee":  # not peewee.pool's "Returning ... to pool"
                keep(record)

    logger, handler = logging.getLogger("peewee"), Keep(logging.DEBUG)
    old_level = logger.level  # the app caps peewee at INFO (SQL carries tokens): put it back
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


@contextmanager
def statements():
    """(sql, params) of each statement peewee runs in the block, for reading its plan."""
    seen = []
    with _peewee_log(lambda record: seen.append(record.msg)):
        yield seen


@contextmanager
def count_queries():
    """Count the SQL statements peewee runs (it logs each one at DEBUG)."""
    seen = []
    with _peewee_log(lambda record: seen.append(record.getMessage())):
        yield seen


def queries_for(client, url):
    client.get(url)  # warm-up: first-request work is not what we measure
    with count_queries() as seen:
        assert client.get(url).status_code == 200
    return len(seen)
