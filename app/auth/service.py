"""Accounts, throttled logins, bearer tokens and browser sessions."""

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import RowMapping, bindparam, delete, func, or_
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from app.auth import security
from app.auth.models import ApiToken, KnownDevice, LoginFailure, User, WebSession
from app.auth.roles import Role
from app.auth.schemas import UserCreate, UserRead, UserUpdate
from app.collection.models import CollectionPoint
from app.core.config import get_settings
from app.core.database import plain_rows
from app.core.errors import Conflict, InvalidInput, TooManyAttempts
from app.core.i18n import N_, _
from app.core.service import get_or_404, touch
from app.core.types import UTCDateTime, utcnow
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
    collection_point_id: int | None = None  # the hall a volunteer works at

    @classmethod
    def of(cls, account: RowMapping) -> "Principal":
        """From the account's columns, as the sign-in reads them."""
        return cls(
            account["id"],
            account["username"],
            account["role"],
            account["driver_id"],
            account["destination_id"],
            account["full_name"],
            account["locale"],
            account["collection_point_id"],
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
    if (
        data.collection_point_id is not None
        and session.get(CollectionPoint, data.collection_point_id) is None
    ):
        raise InvalidInput(
            [
                (
                    "collection_point_id",
                    _("collection point {id} does not exist").format(id=data.collection_point_id),
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


@dataclass(frozen=True)
class Attempt:
    """Where a login comes from: the address, and the device cookie it carries, if any."""

    address: str
    device: str | None = None

    @property
    def device_hash(self) -> str | None:
        return security.digest(self.device) if self.device else None


def _known_device(session: Session, username: str, attempt: Attempt) -> bool:
    if attempt.device_hash is None:
        return False
    stmt = (
        select(KnownDevice.id)
        .join(User, col(User.id) == col(KnownDevice.user_id))
        .where(User.username == username, KnownDevice.device_hash == attempt.device_hash)
    )
    return session.exec(stmt).first() is not None


def _refuse(username: str, attempt: Attempt, reason: str, wait_seconds: int) -> TooManyAttempts:
    log.warning(
        "login refused by throttle: account=%r address=%s (%s; retry in %d s)",
        username,
        attempt.address,
        reason,
        wait_seconds,
    )
    return TooManyAttempts(
        _("too many failed logins; wait before trying again"),
        retry_after_seconds=max(1, wait_seconds),
    )


# How long an address waits between tries on an account that many addresses are guessing.
# It runs from that address's own last failure, never from anyone else's: a hold that other
# people's failures could renew would keep the owner out for as long as the attack lasts.
ACCOUNT_PAUSE = timedelta(seconds=60)


def _check_throttle(session: Session, username: str, attempt: Attempt, now: datetime) -> None:
    """The login rule (README, "Users and roles"):

    - per account and address (or account and known device): the first few failures are
      free, then each try waits twice as long as the last, up to the cap;
    - per address: past the hard limit within the window, the address waits the window out;
    - per account: past its limit within the window, from any addresses, each address may
      try it once a minute. Many addresses are slowed to a guess a minute each (fewer, as
      their own delays grow), while the owner's correct password, from an address of their
      own, waits at most a minute after their own last mistake.

    A known device is held only by its own failures."""
    settings = get_settings()
    since = now - timedelta(minutes=settings.login_window_minutes)
    known = _known_device(session, username, attempt)
    if known:
        # Only this device's own failures count: a stranger's cannot keep its owner out.
        pair = (col(LoginFailure.username) == username) & (
            col(LoginFailure.device_hash) == attempt.device_hash
        )
    else:
        pair = (col(LoginFailure.username) == username) & (
            col(LoginFailure.address) == attempt.address
        )
    stmt = select(
        func.count().filter(pair),
        func.max(LoginFailure.failed_at).filter(pair),
        func.count().filter(col(LoginFailure.username) == username),
        func.count().filter(col(LoginFailure.address) == attempt.address),
    ).where(
        col(LoginFailure.failed_at) >= since,
        or_(
            col(LoginFailure.username) == username,
            col(LoginFailure.address) == attempt.address,
        ),
    )
    by_pair, last_failure, by_account, by_address = session.exec(stmt).one()
    if not known and by_address >= settings.login_address_limit:
        window = settings.login_window_minutes * 60
        raise _refuse(username, attempt, f"{by_address} failures from the address", window)
    if last_failure is None:
        return  # no failure of this address (or device) on the account: nothing to wait for
    waited = (now - last_failure).total_seconds()
    holds: list[tuple[float, str]] = []
    over = by_pair - settings.login_free_failures
    if over >= 0:
        delay = min(settings.login_delay_seconds * 2**over, settings.login_max_delay_seconds)
        holds.append((delay - waited, f"{by_pair} failures in a row"))
    if not known and by_account >= settings.login_account_limit:
        pause = ACCOUNT_PAUSE.total_seconds()
        holds.append((pause - waited, f"{by_account} failures on the account"))
    left, reason = max(holds, default=(0.0, ""))
    if left > 0:
        raise _refuse(username, attempt, reason, math.ceil(left))


def authenticate(session: Session, username: str, password: str, attempt: Attempt) -> User | None:
    """The user for these credentials, or None (the failure is recorded and logged).

    Returns instead of raising so the caller's transaction commits the recorded failure.
    """
    now = utcnow()
    _check_throttle(session, username, attempt, now)
    user = session.exec(select(User).where(User.username == username)).first()
    ok = security.verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.is_active:
        session.add(
            LoginFailure(
                username=username[:100],
                address=attempt.address[:64],
                device_hash=attempt.device_hash,
                failed_at=now,  # the throttle's clock
            )
        )
        session.flush()
        log.warning("failed login: account=%r address=%s", username, attempt.address)
        return None
    user.last_login_at = utcnow()
    session.flush()
    return user


def remember_device(session: Session, user: User, attempt: Attempt) -> str:
    """The device cookie to send back: the one the login came with, now known to the
    account, or a new one."""
    assert user.id is not None
    device = attempt.device or security.new_secret()
    digest = security.digest(device)
    known = session.exec(
        select(KnownDevice).where(KnownDevice.user_id == user.id, KnownDevice.device_hash == digest)
    ).first()
    if known is None:
        session.add(KnownDevice(device_hash=digest, user_id=user.id))
    else:
        known.last_login_at = utcnow()
    session.flush()
    return device


def issue_token(session: Session, user: User) -> tuple[str, ApiToken]:
    assert user.id is not None
    secret = security.new_secret()
    expires = utcnow() + timedelta(minutes=get_settings().token_minutes)
    token = ApiToken(token_hash=security.digest(secret), user_id=user.id, expires_at=expires)
    session.add(token)
    session.flush()
    return secret, token


@dataclass(frozen=True)
class SignedIn:
    """Whose a bearer token or browser session is, until when, and (a browser session) the
    CSRF token its forms carry."""

    principal: Principal
    account: UserRead
    expires_at: datetime
    csrf_token: str | None = None

    @classmethod
    def of(cls, row: RowMapping) -> "SignedIn":
        """From a row of ``_BY_TOKEN`` or ``_BY_SESSION``: the account's columns, plain."""
        account = UserRead.model_validate(row)
        return cls(Principal.of(row), account, row["expires_at"], row.get("csrf_token"))


# Asked on every request: built once, with bind parameters, and read as plain rows (the
# columns a request needs, no ORM object: most of a short request's time went there).
_SIGNED_IN_COLUMNS = (
    *(col(getattr(User, name)) for name in UserRead.model_fields),
    col(User.locale),
)
_BY_TOKEN = (
    select_rows(*_SIGNED_IN_COLUMNS, col(ApiToken.expires_at))
    .join(ApiToken, col(ApiToken.user_id) == col(User.id))
    .where(
        col(ApiToken.token_hash) == bindparam("digest"),
        col(User.is_active).is_(True),
        col(ApiToken.expires_at) > bindparam("now", type_=UTCDateTime),
    )
)
_BY_SESSION = (
    select_rows(*_SIGNED_IN_COLUMNS, col(WebSession.expires_at), col(WebSession.csrf_token))
    .join(WebSession, col(WebSession.user_id) == col(User.id))
    .where(
        col(WebSession.session_hash) == bindparam("digest"),
        col(User.is_active).is_(True),
        col(WebSession.expires_at) > bindparam("now", type_=UTCDateTime),
    )
)


def signed_in_by_token(session: Session, secret: str) -> SignedIn | None:
    """The active account behind an unexpired bearer token: one statement."""
    params = {"digest": security.digest(secret), "now": utcnow()}
    row = plain_rows(session, _BY_TOKEN, params).mappings().first()
    return SignedIn.of(row) if row else None


def revoke_token(session: Session, secret: str) -> None:
    session.execute(delete(ApiToken).where(col(ApiToken.token_hash) == security.digest(secret)))


# --- browser sessions ---------------------------------------------------------------------


# A sign-in may last longer than the usual hours where another domain says so (a driver's
# lasts their trip): the app factory installs such rules, since accounts know no convoys.
SignInLasts = Callable[[Session, User, datetime], datetime | None]
_LASTING: dict[str, SignInLasts] = {}
# However long a rule asks for: a lost phone's session ends within this.
LONGEST_SIGN_IN = timedelta(days=10)


def sign_ins_last(name: str, rule: SignInLasts) -> None:
    """``rule(session, user, usual_end)``: when a sign-in ending at ``usual_end`` should end
    instead, or None for the usual hours."""
    _LASTING[name] = rule


def open_session(session: Session, user: User) -> tuple[str, WebSession]:
    assert user.id is not None
    secret = security.new_secret()
    now = utcnow()
    expires_at = now + timedelta(hours=get_settings().session_hours)
    for rule in _LASTING.values():
        longer = rule(session, user, expires_at)
        if longer is not None and longer > expires_at:
            expires_at = min(longer, now + LONGEST_SIGN_IN)
    web = WebSession(
        session_hash=security.digest(secret),
        csrf_token=security.new_secret(),
        user_id=user.id,
        expires_at=expires_at,
    )
    session.add(web)
    session.flush()
    return secret, web


def signed_in_by_session(session: Session, secret: str) -> SignedIn | None:
    """The active account behind an unexpired browser session cookie: one statement."""
    params = {"digest": security.digest(secret), "now": utcnow()}
    row = plain_rows(session, _BY_SESSION, params).mappings().first()
    return SignedIn.of(row) if row else None


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
