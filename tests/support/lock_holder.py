"""A process that holds a booking's lock while it moves the visit to another fieldworker, as
the admin's details form does, and commits a moment later: run with
`python -m tests.support.lock_holder <database url> <booking id> <from staff> <to staff>`.
It prints "locked" once the lock is its own, then sleeps HOLD seconds before committing."""
import sys
import time

from playhouse.db_url import connect

HOLD = 1.5


def main(url, booking_id, old, new):
    db = connect(url)
    postgres = url.startswith("postgres")
    with db.atomic() if postgres else db.atomic("IMMEDIATE"):
        if postgres:  # SQLite's IMMEDIATE transaction holds the write lock already
            db.execute_sql("SELECT id FROM booking WHERE id = %s FOR UPDATE", (booking_id,))
        db.execute_sql("UPDATE assignment SET staff_id = %s WHERE booking_id = %s AND "
                       "staff_id = %s".replace("%s", "%s" if postgres else "?"),
                       (new, booking_id, old))
        print("locked", flush=True)
        time.sleep(HOLD)
    db.close()


if __name__ == "__main__":
    main(sys.argv[1], *map(int, sys.argv[2:5]))
