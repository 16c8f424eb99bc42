"""Accounts: create users, check credentials, reset passwords."""

from __future__ import annotations

from sqlalchemy import func, select

from ..errors import AccountError, EmailTaken
from ..extensions import db
from ..models import ROLES, SECTORS, User


def normalise_email(email: str) -> str:
    return email.strip()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(
        select(User).where(func.lower(User.email) == normalise_email(email).lower())
    )


def create_user(
    email: str,
    name: str,
    password: str,
    *,
    role: str = "learner",
    sector: str | None = None,
    organisation: str = "",
) -> User:
    """Add a user to the current transaction; raises EmailTaken when the address is in use."""
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.")
    if sector is not None and sector not in SECTORS:
        raise AccountError(f"Sector must be one of {', '.join(SECTORS)}.")
    if find_by_email(email):
        raise EmailTaken("An account with that email address already exists.")
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        sector=sector,
        organisation=organisation.strip(),
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
