"""Changing the database from another process, by plain SQL: what another worker, server or
a person at the database prompt would do, with none of this process's code or caches."""
import subprocess
import sys

_RUN = """
import sys
from playhouse.db_url import connect
db = connect(sys.argv[1])
with db.atomic():
    for statement in sys.argv[2:]:
        db.execute_sql(statement)
db.close()
"""


def sql_elsewhere(database_url, *statements):
    """Run `statements` in one transaction in a new Python process, and wait for it."""
    subprocess.run([sys.executable, "-c", _RUN, database_url, *statements], check=True,
                   timeout=60)
