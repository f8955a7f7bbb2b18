"""policy.invites_payment: the admin booking page offers "Record payment" unless the booking is
cancelled and owes nothing (issue 18: it invited payment on a cancelled booking in credit)."""
import pytest

from portal.bookings.policy import invites_payment


@pytest.mark.parametrize("cancelled,balance,offered", [
    (False, 9000, True),    # owed on a live booking
    (False, 0, True),       # paid up: paying ahead stays possible
    (False, -500, True),    # already ahead
    (True, 2500, True),     # a cancellation fee still owed
    (True, 0, False),       # cancelled and settled
    (True, -6000, False),   # cancelled and in credit: money goes back, not in
])
def test_invites_payment(cancelled, balance, offered):
    assert invites_payment(cancelled, balance) is offered
