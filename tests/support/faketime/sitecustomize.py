"""Loaded (through PYTHONPATH) only by `make test-on-day`, which runs the suite under Debian's
faketime to show that no test depends on the day it runs.

libfaketime 0.9.10 mishandles clock_nanosleep(TIMER_ABSTIME), which time.sleep uses since
Python 3.11: sleeps fail with EINVAL (or never end when the monotonic clock is faked too). A
relative select() timeout sleeps the same time without it. Nothing else is changed.
"""
import select
import time


def _sleep(seconds):
    if seconds > 0:
        select.select([], [], [], seconds)


time.sleep = _sleep
