"""API login: argon2 password storage, bearer tokens with expiry, revocation, rate limit."""

import logging
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.auth.deps import DEVICE_COOKIE
from app.auth.models import ApiToken, KnownDevice, LoginFailure, User, WebSession
from app.auth.roles import Role
from app.auth.security import digest
from app.core.config import get_settings
from app.core.types import utcnow
from tests.accounts import PASSWORD, make_user

API = "/api/v1"
TOKEN_URL = f"{API}/auth/token"
NEW_PASSWORD = "kharkiv-water-2026"


def login(client: TestClient, username: str, password: str) -> httpx.Response:
    response: httpx.Response = client.post(
        TOKEN_URL, data={"username": username, "password": password}
    )
    return response


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = login(client, username, password)
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert isinstance(token, str)
    return token


def from_address(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000))


def failures(session: Session) -> int:
    return session.exec(select(func.count()).select_from(LoginFailure)).one()


# --- passwords ----------------------------------------------------------------------------


def test_password_is_stored_as_argon2id_hash_and_never_returned(
    client: TestClient, session: Session
) -> None:
    password = "zaporizhzhia-pumps-42"
    response = client.post(
        f"{API}/users",
        json={"username": "olena", "full_name": "Olena K.", "role": "clerk", "password": password},
    )
    assert response.status_code == 201, response.text
    assert "password" not in response.text
    stored = session.exec(select(User).where(User.username == "olena")).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert password not in stored.password_hash
    # Neither the password nor its hash reaches the audit trail.
    trail = client.get(f"{API}/audit", params={"entity": "app_user"})
    assert trail.status_code == 200
    assert trail.json()["items"], "the user's creation is audited"
    assert password not in trail.text
    assert "$argon2" not in trail.text
    assert token_for(client, "olena", password)


def test_short_password_is_refused_naming_the_field(client: TestClient, session: Session) -> None:
    response = client.post(
        f"{API}/users",
        json={"username": "petro", "full_name": "Petro", "role": "clerk", "password": "short"},
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "password"]
    assert "at least 12 characters" in error["msg"]
    assert session.exec(select(User).where(User.username == "petro")).first() is None


# --- tokens -------------------------------------------------------------------------------


def test_login_issues_bearer_token_with_expiry(anonymous: TestClient, session: Session) -> None:
    user = make_user(session, Role.coordinator)
    before = utcnow()
    response = login(anonymous, user.username, PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_at"}
    assert body["token_type"] == "bearer"
    lifetime = timedelta(minutes=get_settings().token_minutes)
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert before + lifetime <= expires_at <= utcnow() + lifetime
    # Only the token's SHA-256 is stored.
    stored = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.token_hash != body["access_token"]
    assert len(stored.token_hash) == 64

    me = anonymous.get(f"{API}/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    assert me.json()["role"] == "coordinator"
    assert me.json()["last_login_at"] is not None
    assert "password_hash" not in me.json()


@pytest.mark.parametrize("wrong", ["password", "username"])
def test_wrong_credentials_are_401_alike(
    anonymous: TestClient, session: Session, wrong: str
) -> None:
    user = make_user(session, Role.clerk)
    username = "nobody-here" if wrong == "username" else user.username
    password = "not-the-password" if wrong == "password" else PASSWORD
    response = login(anonymous, username, password)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    # The same answer whether the account exists or not.
    assert response.json() == {"detail": "wrong username or password", "code": "login_failed"}
    assert session.exec(select(ApiToken)).all() == []
    assert failures(session) == 1


def test_deactivated_user_cannot_log_in(anonymous: TestClient, session: Session) -> None:
    user = make_user(session, Role.clerk)
    user.is_active = False
    session.commit()
    response = login(anonymous, user.username, PASSWORD)
    assert response.status_code == 401
    assert session.exec(select(ApiToken)).all() == []


def test_missing_and_garbage_tokens_are_401(anonymous: TestClient) -> None:
    for headers in ({}, bearer("garbage"), {"Authorization": "Basic YWRtaW46YWRtaW4="}):
        response = anonymous.get(f"{API}/auth/me", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["code"] == "not_authenticated"


def test_expired_token_is_401(anonymous: TestClient, session: Session) -> None:
    user = make_user(session, Role.coordinator)
    token = token_for(anonymous, user.username)
    assert anonymous.get(f"{API}/auth/me", headers=bearer(token)).status_code == 200
    stored = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    response = anonymous.get(f"{API}/auth/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "expired" in response.json()["detail"]


def test_a_token_expires_by_the_clock(
    anonymous: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(session, Role.coordinator)
    token = token_for(anonymous, user.username)
    assert anonymous.get(f"{API}/auth/me", headers=bearer(token)).status_code == 200
    lifetime = timedelta(minutes=get_settings().token_minutes)
    later = utcnow() + lifetime + timedelta(seconds=1)
    monkeypatch.setattr("app.auth.service.utcnow", lambda: later)
    response = anonymous.get(f"{API}/auth/me", headers=bearer(token))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_logout_revokes_only_that_token(anonymous: TestClient, session: Session) -> None:
    user = make_user(session, Role.clerk)
    first = token_for(anonymous, user.username)
    second = token_for(anonymous, user.username)
    response = anonymous.post(f"{API}/auth/logout", headers=bearer(first))
    assert response.status_code == 204
    assert anonymous.get(f"{API}/auth/me", headers=bearer(first)).status_code == 401
    assert anonymous.post(f"{API}/auth/logout", headers=bearer(first)).status_code == 401
    assert anonymous.get(f"{API}/auth/me", headers=bearer(second)).status_code == 200


def _tokens_and_sessions(session: Session, user: User) -> tuple[int, int]:
    tokens = session.exec(select(func.count()).where(col(ApiToken.user_id) == user.id)).one()
    webs = session.exec(select(func.count()).where(col(WebSession.user_id) == user.id)).one()
    return tokens, webs


def test_password_change_revokes_tokens_and_sessions(
    client: TestClient, anonymous: TestClient, session: Session
) -> None:
    user = make_user(session, Role.coordinator)
    token = token_for(anonymous, user.username)
    assert anonymous.post("/login", data={"username": user.username, "password": PASSWORD})
    assert _tokens_and_sessions(session, user) == (1, 1)

    response = client.patch(f"{API}/users/{user.id}", json={"password": NEW_PASSWORD})
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert _tokens_and_sessions(session, user) == (0, 0)
    assert anonymous.get(f"{API}/auth/me", headers=bearer(token)).status_code == 401
    assert login(anonymous, user.username, PASSWORD).status_code == 401
    assert token_for(anonymous, user.username, NEW_PASSWORD)


def test_deactivation_revokes_tokens_and_sessions(
    client: TestClient, anonymous: TestClient, session: Session
) -> None:
    user = make_user(session, Role.clerk)
    token = token_for(anonymous, user.username)
    anonymous.post("/login", data={"username": user.username, "password": PASSWORD})
    assert _tokens_and_sessions(session, user) == (1, 1)

    response = client.patch(f"{API}/users/{user.id}", json={"is_active": False})
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert _tokens_and_sessions(session, user) == (0, 0)
    assert anonymous.get(f"{API}/auth/me", headers=bearer(token)).status_code == 401
    assert login(anonymous, user.username, PASSWORD).status_code == 401


def test_renaming_keeps_tokens(client: TestClient, anonymous: TestClient, session: Session) -> None:
    user = make_user(session, Role.clerk)
    token = token_for(anonymous, user.username)
    response = client.patch(f"{API}/users/{user.id}", json={"full_name": "Mariia Clerk"})
    assert response.status_code == 200
    assert anonymous.get(f"{API}/auth/me", headers=bearer(token)).status_code == 200


def test_refused_password_change_keeps_everything(
    client: TestClient, anonymous: TestClient, session: Session
) -> None:
    user = make_user(session, Role.clerk)
    token = token_for(anonymous, user.username)
    old_hash = user.password_hash
    response = client.patch(f"{API}/users/{user.id}", json={"password": "too-short"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]
    session.refresh(user)
    assert user.password_hash == old_hash
    assert user.version == 1
    assert anonymous.get(f"{API}/auth/me", headers=bearer(token)).status_code == 200


# --- throttle ----------------------------------------------------------------------------


def record_failures(
    session: Session,
    username: str,
    address: str,
    count: int,
    *,
    device: str | None = None,
    ago: timedelta = timedelta(0),
    now: datetime | None = None,
) -> None:
    """Failed logins as an attacker (or a forgetful colleague) would have left them."""
    for _ in range(count):
        session.add(
            LoginFailure(
                username=username,
                address=address,
                device_hash=digest(device) if device else None,
                failed_at=(now or utcnow()) - ago,
            )
        )
    session.commit()


def known_device(app: FastAPI, user: User, address: str) -> TestClient:
    """A client that has logged in to the account before and kept its device cookie."""
    client = from_address(app, address)
    assert login(client, user.username, PASSWORD).status_code == 200
    assert client.cookies.get(DEVICE_COOKIE)
    return client


def test_first_failures_are_free_then_the_account_and_address_wait(
    anonymous: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(session, Role.clerk)
    settings = get_settings()
    caplog.set_level(logging.WARNING, logger="konvoi.auth")
    for n in range(settings.login_free_failures):
        assert login(anonymous, user.username, f"guess-number-{n}").status_code == 401
    response = login(anonymous, user.username, PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_login_attempts"
    assert 1 <= int(response.headers["retry-after"]) <= settings.login_delay_seconds
    assert session.exec(select(ApiToken)).all() == []
    # Once the delay has passed, the right password works again.
    session.execute(update(LoginFailure).values(failed_at=utcnow() - timedelta(seconds=3)))
    session.commit()
    assert login(anonymous, user.username, PASSWORD).status_code == 200

    logged = [r.getMessage() for r in caplog.records if r.name == "konvoi.auth"]
    failed = [m for m in logged if "failed login" in m]
    assert len(failed) == settings.login_free_failures
    assert all(user.username in m and "testclient" in m for m in failed)
    assert any("throttle" in m for m in logged)
    # The guessed passwords are never written to the log.
    assert not any("guess-number" in m for m in logged)


def test_each_further_failure_doubles_the_wait_up_to_the_cap(
    anonymous: TestClient, session: Session
) -> None:
    user = make_user(session, Role.clerk)
    settings = get_settings()
    waits = []
    record_failures(session, user.username, "testclient", settings.login_free_failures)
    for _ in range(12):
        response = login(anonymous, user.username, PASSWORD)
        assert response.status_code == 429
        waits.append(int(response.headers["retry-after"]))
        record_failures(session, user.username, "testclient", 1)
    assert waits[:4] == [2, 4, 8, 16]
    assert waits[-1] == settings.login_max_delay_seconds
    assert waits == sorted(waits)


def test_a_stranger_elsewhere_does_not_delay_the_owner(app: FastAPI, session: Session) -> None:
    user = make_user(session, Role.coordinator)
    for n in range(10):
        with from_address(app, f"198.51.100.{n}") as stranger:
            for _ in range(get_settings().login_free_failures):
                assert login(stranger, user.username, "guessed").status_code == 401
            assert login(stranger, user.username, "guessed").status_code == 429
    with from_address(app, "203.0.113.7") as owner:
        assert login(owner, user.username, PASSWORD).status_code == 200


def test_a_stranger_in_the_same_office_does_not_keep_a_known_device_out(
    app: FastAPI, session: Session
) -> None:
    user = make_user(session, Role.driver)
    office = "192.0.2.10"
    device = known_device(app, user, office)
    # A colleague behind the same address types the wrong password again and again.
    record_failures(session, user.username, office, 30)
    assert login(device, user.username, PASSWORD).status_code == 200
    # A browser the account has never used waits, like the colleague.
    with from_address(app, office) as unknown:
        assert login(unknown, user.username, PASSWORD).status_code == 429


def test_a_known_device_waits_after_its_own_failures(app: FastAPI, session: Session) -> None:
    user = make_user(session, Role.clerk)
    device = known_device(app, user, "192.0.2.11")
    for _ in range(get_settings().login_free_failures):
        assert login(device, user.username, "typo").status_code == 401
    assert login(device, user.username, PASSWORD).status_code == 429


def addresses(count: int, *, first: int = 0) -> list[str]:
    return [f"198.51.{n // 250}.{n % 250}" for n in range(first, first + count)]


def attack(
    session: Session, user: User, count: int, *, first: int = 0, at: datetime | None = None
) -> list[str]:
    """One wrong password each from many addresses, as the login records them (a guess takes
    argon2's time; the test below makes them through the login once): no address gets near
    its own delays, and together they pass the account's limit."""
    sources = addresses(count, first=first)
    for address in sources:
        record_failures(session, user.username, address, 1, now=at)
    return sources


class Clock:
    """The login throttle's time, standing still from the test's start until moved (no test
    sleeps)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.started = self.now = utcnow()
        self.move(timedelta(0))

    def move(self, later: timedelta) -> None:
        """To ``later`` after the test's start."""
        self.now = self.started + later
        now = self.now
        self.monkeypatch.setattr("app.auth.service.utcnow", lambda: now)


@pytest.fixture
def throttle_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def test_guesses_from_many_addresses_never_keep_the_owner_out(
    app: FastAPI, session: Session
) -> None:
    """The issue's case: 55 wrong passwords from 55 addresses, then the owner in a browser or
    a script they have never used: let in at once."""
    user = make_user(session, Role.admin)
    assert get_settings().login_account_limit < 55
    for address in addresses(55):
        with from_address(app, address) as attacker:
            assert login(attacker, user.username, "guessed-password").status_code == 401
    with from_address(app, "203.0.113.21") as script:
        assert login(script, user.username, PASSWORD).status_code == 200
    with TestClient(app, client=("203.0.113.22", 50000), follow_redirects=False) as browser:
        page = browser.post("/login", data={"username": user.username, "password": PASSWORD})
        assert page.status_code == 303


def test_the_owners_own_mistake_during_an_attack_costs_at_most_a_minute(
    app: FastAPI, session: Session, throttle_clock: Clock
) -> None:
    user = make_user(session, Role.coordinator)
    attack(session, user, get_settings().login_account_limit, at=throttle_clock.now)
    with from_address(app, "203.0.113.30") as owner:
        assert login(owner, user.username, "a-typo-of-mine").status_code == 401
        held = login(owner, user.username, PASSWORD)
        assert held.status_code == 429
        assert 1 <= int(held.headers["retry-after"]) <= 60
        # The attack goes on meanwhile: its failures do not lengthen the owner's wait.
        throttle_clock.move(timedelta(seconds=30))
        attack(session, user, 20, first=500, at=throttle_clock.now)
        assert login(owner, user.username, PASSWORD).status_code == 429
        throttle_clock.move(timedelta(seconds=60))
        assert login(owner, user.username, PASSWORD).status_code == 200


def test_addresses_guessing_an_account_under_attack_wait_a_minute_between_guesses(
    app: FastAPI, session: Session, throttle_clock: Clock
) -> None:
    user = make_user(session, Role.admin)
    limit = get_settings().login_account_limit
    attacker = attack(session, user, limit, at=throttle_clock.now)[0]
    with from_address(app, attacker) as again:
        # Below its own free failures, yet held: the account has had too many.
        refused = login(again, user.username, "second-guess")
        assert refused.status_code == 429
        assert 55 <= int(refused.headers["retry-after"]) <= 60
        throttle_clock.move(timedelta(seconds=59))
        assert login(again, user.username, "second-guess").status_code == 429
        throttle_clock.move(timedelta(seconds=60))
        assert login(again, user.username, "second-guess").status_code == 401  # checked
        assert login(again, user.username, "third-guess").status_code == 429  # and held again
    assert failures(session) == limit + 1


def test_a_known_device_is_not_held_by_an_account_under_attack(
    app: FastAPI, session: Session
) -> None:
    user = make_user(session, Role.admin)
    device = known_device(app, user, "203.0.113.20")
    assert login(device, user.username, "my-typo").status_code == 401
    attack(session, user, get_settings().login_account_limit)
    assert login(device, user.username, PASSWORD).status_code == 200


def test_address_hard_limit_is_far_above_an_office(app: FastAPI, session: Session) -> None:
    settings = get_settings()
    office = "198.51.100.99"
    colleagues = [make_user(session, Role.coordinator) for _ in range(3)]
    owner = colleagues[0]
    device = known_device(app, owner, office)
    # A whole office's typos in one window: many fewer than the hard limit.
    assert settings.login_address_limit >= 50
    for n in range(settings.login_address_limit):
        record_failures(session, f"guessed-user-{n}", office, 1)
    with from_address(app, office) as attacker:
        assert login(attacker, colleagues[1].username, PASSWORD).status_code == 429
    assert login(device, owner.username, PASSWORD).status_code == 200
    # The accounts themselves are not locked: from elsewhere they log in.
    with from_address(app, "203.0.113.8") as elsewhere:
        assert login(elsewhere, colleagues[2].username, PASSWORD).status_code == 200


def test_failures_outside_the_window_do_not_count(anonymous: TestClient, session: Session) -> None:
    user = make_user(session, Role.clerk)
    settings = get_settings()
    long_ago = timedelta(minutes=settings.login_window_minutes, seconds=1)
    record_failures(
        session, user.username, "testclient", settings.login_account_limit, ago=long_ago
    )
    assert login(anonymous, user.username, PASSWORD).status_code == 200


def test_failures_remember_the_device_only_as_a_digest(app: FastAPI, session: Session) -> None:
    user = make_user(session, Role.clerk)
    device = known_device(app, user, "192.0.2.30")
    cookie = device.cookies[DEVICE_COOKIE]
    assert login(device, user.username, "typo").status_code == 401
    [failure] = session.exec(select(LoginFailure)).all()
    assert failure.device_hash == digest(cookie)
    [known] = session.exec(select(KnownDevice).where(KnownDevice.user_id == user.id)).all()
    assert known.device_hash == digest(cookie)
