"""Reading the links out of a queued booking email."""
import re

RESCHEDULE = "Reschedule or change booking details"
CANCEL = "Cancel booking"


def links(row):
    """{label: url} from the plain part (each label on a line of its own, its URL on the next),
    checked against the HTML part's buttons."""
    found = dict(re.findall(r"^(View booking|" + RESCHEDULE + "|" + CANCEL + r"):\n(\S+)$",
                            row.body_text, re.M))
    for label, url in found.items():
        assert f'href="{url}"' in row.body_html
        if label != "View booking":
            assert f">{label}</a>" in row.body_html
    return found
