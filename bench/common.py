"""What the benchmarks share: bulk inserts and timing a call."""
import statistics
import time


def insert_chunks(model, rows, size=500):
    """insert_many in chunks (SQLite caps the parameters of one statement)."""
    for start in range(0, len(rows), size):
        model.insert_many(rows[start:start + size]).execute()


def timed(fn, repeat, warm_up=True):
    """(median, max) milliseconds of `repeat` calls; the warm-up call (template compilation,
    caches) is not measured."""
    if warm_up:
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)
