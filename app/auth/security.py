"""Password hashing (argon2 via pwdlib) and opaque tokens stored only as hashes."""

import hashlib
import hmac
import secrets
from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_hasher = PasswordHash((Argon2Hasher(),))

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    # Made on first use, not at start-up: argon2 is slow by design.
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        # Verifying against this when the user does not exist keeps response times alike.
        _hasher.verify(password, _dummy_hash())
        return False
    return bool(_hasher.verify(password, password_hash))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Tokens and session ids are stored as SHA-256: a leaked table grants no access."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must have at least {MIN_PASSWORD_LENGTH} characters"
    if password.strip() != password:
        return "must not start or end with spaces"
    return None
