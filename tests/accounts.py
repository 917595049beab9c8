"""Accounts for tests: users of each role with a bearer token, without slow re-hashing."""

import itertools
from collections.abc import Callable
from functools import cache

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth import service as accounts
from app.auth.models import User
from app.auth.roles import Role
from app.auth.security import hash_password

PASSWORD = "wuppertal-lviv-1400km"
_seq = itertools.count(1)

RoleClients = Callable[..., TestClient]


@cache
def password_hash() -> str:
    # argon2 is slow by design: hash the shared test password once per run.
    return hash_password(PASSWORD)


def make_user(session: Session, role: Role, **links: int | None) -> User:
    user = User(
        username=f"{role.value}{next(_seq)}",
        full_name=f"Test {role.value}",
        role=role,
        password_hash=password_hash(),
        driver_id=links.get("driver_id"),
        destination_id=links.get("destination_id"),
        collection_point_id=links.get("collection_point_id"),
    )
    session.add(user)
    session.commit()  # outlives a refused request's rollback; the test's transaction ends it
    return user


def auth_headers(session: Session, role: Role, **links: int | None) -> dict[str, str]:
    user = make_user(session, role, **links)
    secret, _ = accounts.issue_token(session, user)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}
