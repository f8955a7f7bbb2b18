"""Who is acting: a plain value the policy and services can read without a database."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    kind: str  # customer, admin, fieldworker, system
    id: int | None = None
    label: str = ""
    can_edit_booking_status: bool = False

    @property
    def is_customer(self):
        return self.kind == "customer"

    @property
    def is_staff(self):
        return self.kind in ("admin", "fieldworker")


SYSTEM = Actor("system", None, "Rebook")


def actor_for(user):
    """The Actor for a logged-in Customer or Staff row."""
    if user.kind == "customer":
        return Actor("customer", user.id, user.name)
    return Actor(user.role, user.id, user.name, bool(user.can_edit_booking_status))
