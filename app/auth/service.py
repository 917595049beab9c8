"""Accounts, logins with a rate limit, bearer tokens and browser sessions."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from app.auth import security
from app.auth.models import ApiToken, LoginFailure, Role, User, WebSession
from app.auth.schemas import UserCreate, UserUpdate
from app.core.config import get_settings
from app.core.errors import Conflict, InvalidInput, TooManyAttempts
from app.core.i18n import N_, _
from app.core.service import get_or_404, touch
from app.core.types import utcnow
from app.destinations.models import Destination
from app.drivers.models import Driver

log = logging.getLogger("konvoi.auth")


@dataclass(frozen=True)
class Principal:
    """The authenticated user, with the record a driver or recipient account is tied to."""

    user_id: int
    username: str
    role: Role
    driver_id: int | None = None
    destination_id: int | None = None
    full_name: str | None = None
    locale: str | None = None  # the language chosen for the pages

    @classmethod
    def of(cls, user: User) -> "Principal":
        assert user.id is not None
        return cls(
            user.id,
            user.username,
            user.role,
            user.driver_id,
            user.destination_id,
            user.full_name,
            user.locale,
        )


# --- users --------------------------------------------------------------------------------


def get(session: Session, user_id: int) -> User:
    return get_or_404(session, User, user_id, N_("User"))


def create_user(session: Session, data: UserCreate) -> User:
    if session.exec(select(User.id).where(User.username == data.username)).first():
        raise Conflict(
            _("the username {username} is taken").format(username=data.username), field="username"
        )
    if data.driver_id is not None and session.get(Driver, data.driver_id) is None:
        raise InvalidInput(
            [("driver_id", _("driver {driver_id} does not exist").format(driver_id=data.driver_id))]
        )
    if data.destination_id is not None and session.get(Destination, data.destination_id) is None:
        raise InvalidInput(
            [
                (
                    "destination_id",
                    _("destination {destination_id} does not exist").format(
                        destination_id=data.destination_id
                    ),
                )
            ]
        )
    user = User(
        **data.model_dump(exclude={"password"}),
        password_hash=security.hash_password(data.password),
    )
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, user: User, changes: UserUpdate) -> User:
    sent = changes.model_dump(exclude_unset=True)
    if sent.get("full_name") is not None:
        user.full_name = sent["full_name"]
    if sent.get("is_active") is not None:
        user.is_active = sent["is_active"]
        if not user.is_active:
            _revoke_all(session, user)
    if sent.get("password") is not None:
        user.password_hash = security.hash_password(sent["password"])
        _revoke_all(session, user)
    if sent:
        touch(user)
    session.flush()
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.exec(select(User).order_by(col(User.username))).all()


def _revoke_all(session: Session, user: User) -> None:
    """A new password or a deactivation ends every open token and session."""
    session.execute(delete(ApiToken).where(col(ApiToken.user_id) == user.id))
    session.execute(delete(WebSession).where(col(WebSession.user_id) == user.id))


# --- logins -------------------------------------------------------------------------------


def _check_rate_limit(session: Session, username: str, address: str) -> None:
    settings = get_settings()
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    stmt = select(
        func.count().filter(col(LoginFailure.username) == username),
        func.count().filter(col(LoginFailure.address) == address),
    ).where(
        col(LoginFailure.failed_at) >= since,
        or_(col(LoginFailure.username) == username, col(LoginFailure.address) == address),
    )
    by_account, by_address = session.exec(stmt).one()
    if max(by_account, by_address) >= settings.login_max_failures:
        log.warning(
            "login refused by rate limit: account=%r address=%s (%d/%d failures in %d min)",
            username,
            address,
            by_account,
            by_address,
            settings.login_window_minutes,
        )
        raise TooManyAttempts(
            _("too many failed logins; wait before trying again"),
            retry_after_seconds=settings.login_window_minutes * 60,
        )


def authenticate(session: Session, username: str, password: str, address: str) -> User | None:
    """The user for these credentials, or None (the failure is recorded and logged).

    Returns instead of raising so the caller's transaction commits the recorded failure.
    """
    _check_rate_limit(session, username, address)
    user = session.exec(select(User).where(User.username == username)).first()
    ok = security.verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.is_active:
        session.add(LoginFailure(username=username[:100], address=address[:64]))
        session.flush()
        log.warning("failed login: account=%r address=%s", username, address)
        return None
    user.last_login_at = utcnow()
    session.flush()
    return user


def issue_token(session: Session, user: User) -> tuple[str, ApiToken]:
    assert user.id is not None
    secret = security.new_secret()
    expires = utcnow() + timedelta(minutes=get_settings().token_minutes)
    token = ApiToken(token_hash=security.digest(secret), user_id=user.id, expires_at=expires)
    session.add(token)
    session.flush()
    return secret, token


def user_for_token(session: Session, secret: str) -> User | None:
    stmt = (
        select(User)
        .join(ApiToken, col(ApiToken.user_id) == col(User.id))
        .where(
            ApiToken.token_hash == security.digest(secret),
            col(ApiToken.expires_at) > utcnow(),
            col(User.is_active).is_(True),
        )
    )
    return session.exec(stmt).first()


def revoke_token(session: Session, secret: str) -> None:
    session.execute(delete(ApiToken).where(col(ApiToken.token_hash) == security.digest(secret)))


# --- browser sessions ---------------------------------------------------------------------


def open_session(session: Session, user: User) -> tuple[str, WebSession]:
    assert user.id is not None
    secret = security.new_secret()
    web = WebSession(
        session_hash=security.digest(secret),
        csrf_token=security.new_secret(),
        user_id=user.id,
        expires_at=utcnow() + timedelta(hours=get_settings().session_hours),
    )
    session.add(web)
    session.flush()
    return secret, web


def user_for_session(session: Session, secret: str) -> tuple[User, WebSession] | None:
    stmt = (
        select(User, WebSession)
        .join(WebSession, col(WebSession.user_id) == col(User.id))
        .where(
            WebSession.session_hash == security.digest(secret),
            col(WebSession.expires_at) > utcnow(),
            col(User.is_active).is_(True),
        )
    )
    row = session.exec(stmt).first()
    return (row[0], row[1]) if row else None


def close_session(session: Session, secret: str) -> None:
    session.execute(
        delete(WebSession).where(col(WebSession.session_hash) == security.digest(secret))
    )


def set_locale(session: Session, user_id: int, language: str) -> None:
    """The language the pages are shown in for this account."""
    user = session.get(User, user_id)
    if user is not None and user.locale != language:
        user.locale = language
        touch(user)
        session.flush()
