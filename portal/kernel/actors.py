"""Who is acting: a plain value the policy and services can read without a database."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    kind: str  # customer, admin, fieldworker, integration, system
    id: int | None = None
    label: str = ""
    can_edit_booking_status: bool = False

    @property
    def is_customer(self):
        return self.kind == "customer"

    @property
    def is_staff(self):
        return self.kind in ("admin", "fieldworker")

    @property
    def acts_for_business(self):
        """Staff, or the business's own connected system (its practice-management system):
        held to the business's rules, not the customers' flags, notice window and cap."""
        return self.kind in ("admin", "fieldworker", "integration")


SYSTEM = Actor("system", None, "Rebook")


def actor_for(user):
    """The Actor for a logged-in Customer or Staff row."""
    if user.kind == "customer":
        return Actor("customer", user.id, user.name)
    return Actor(user.role, user.id, user.name, bool(user.can_edit_booking_status))


def integration_actor(integration):
    """The Actor for an outside system calling the API; its name goes in the history."""
    return Actor("integration", integration.id, integration.name)
