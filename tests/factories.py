"""Test data built through the services, so it obeys the same rules as real data."""

import itertools

from tracker.accounts import services as accounts
from tracker.accounts.models import User

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def make_user(role: str = "researcher", email: str | None = None, password: str = PASSWORD) -> User:
    email = email or f"{role}{next(_sequence)}@example.org"
    return accounts.create_user(None, email, password, role)
