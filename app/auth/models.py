from datetime import datetime

from sqlmodel import Field

from app.auth.roles import Role
from app.core.models import Entity, Record
from app.core.types import UTCDateTime, enum_type, utcnow


class User(Entity, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    __audit_redact__ = frozenset({"password_hash"})

    username: str = Field(unique=True, max_length=100)
    full_name: str = Field(max_length=200)
    role: Role = Field(sa_type=enum_type(Role))
    password_hash: str = Field(max_length=300)
    driver_id: int | None = Field(default=None, foreign_key="driver.id")
    destination_id: int | None = Field(default=None, foreign_key="destination.id")
    # A volunteer works at one collection point.
    collection_point_id: int | None = Field(default=None, foreign_key="collection_point.id")
    is_active: bool = True
    # The language the pages are shown in (de, uk, en); None: guessed from the browser.
    locale: str | None = Field(default=None, max_length=5)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiToken(Record, table=True):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class WebSession(Record, table=True):
    """A browser session behind the HttpOnly cookie, with its CSRF token."""

    __tablename__ = "web_session"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(unique=True, max_length=64)
    csrf_token: str = Field(max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class LoginFailure(Record, table=True):
    """A failed login, kept for the throttle (per account, address and device) and the log."""

    __tablename__ = "login_failure"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, index=True)
    address: str = Field(max_length=64, index=True)
    # The SHA-256 of the device cookie the attempt came with, if any.
    device_hash: str | None = Field(default=None, max_length=64)
    failed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class KnownDevice(Record, table=True):
    """A browser or client an account has logged in from: the SHA-256 of its device cookie.

    Logins from a known device are throttled only by their own failures, so nobody else's
    wrong passwords can keep the account's owner out.
    """

    __tablename__ = "known_device"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    device_hash: str = Field(max_length=64, index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    last_login_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
