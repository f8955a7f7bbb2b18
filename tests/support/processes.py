"""Run several spawned processes that start together and each report one result."""
import multiprocessing
import time


def run_together(target, count, deadline, args_for):
    """Start `count` processes of `target(*args_for(i), barrier, results)`, collect one result
    dict from each ({"status": ..., "body": ...}), and leave no process behind."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(count)
    results = ctx.Queue()
    procs = [ctx.Process(target=target, daemon=True, args=(*args_for(i), barrier, results))
             for i in range(count)]
    outcomes = []
    try:
        for proc in procs:
            proc.start()
        end = time.monotonic() + deadline
        while len(outcomes) < count:  # read before join: a child exits once its result is out
            outcomes.append(results.get(timeout=max(1, end - time.monotonic())))
    finally:
        for proc in procs:
            proc.join(timeout=10)
        for proc in procs:
            if proc.is_alive():
                proc.kill()
                proc.join()
    errors = [o["body"] for o in outcomes if o["status"] == "error"]
    assert not errors, f"{len(errors)} process(es) failed; the first:\n{errors[0]}"
    assert [proc.exitcode for proc in procs] == [0] * count
    return outcomes
