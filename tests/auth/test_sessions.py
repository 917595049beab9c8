"""Browser sessions: the HttpOnly cookie, CSRF on unsafe requests, and no cookie for the API."""

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from app.auth.deps import SESSION_COOKIE
from app.auth.models import LoginFailure, User, WebSession
from app.auth.roles import Role
from app.auth.security import digest
from app.core.config import get_settings
from app.core.types import utcnow
from tests.accounts import PASSWORD, make_user

API = "/api/v1"


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    # A browser set to English, so the pages' words below are the source strings.
    with TestClient(app, follow_redirects=False, headers={"Accept-Language": "en"}) as test_client:
        yield test_client


@pytest.fixture
def https_browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


def log_in(browser: TestClient, user: User, password: str = PASSWORD) -> httpx.Response:
    response: httpx.Response = browser.post(
        "/login", data={"username": user.username, "password": password}
    )
    return response


def cookie_attributes(response: httpx.Response) -> tuple[str, set[str]]:
    """The session cookie's value and its attributes, lower-cased (e.g. 'samesite=lax')."""
    [header] = [
        h for h in response.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}=")
    ]
    value, *attributes = (part.strip() for part in header.split(";"))
    return value.split("=", 1)[1], {a.lower() for a in attributes}


def csrf_token_of(page: httpx.Response) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert match, page.text
    return match.group(1)


def sessions(session: Session) -> int:
    return session.exec(select(func.count()).select_from(WebSession)).one()


def test_login_page_is_a_form(browser: TestClient) -> None:
    response = browser.get("/login")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/login">' in response.text
    assert 'type="password"' in response.text


def test_login_sets_a_hardened_session_cookie(browser: TestClient, session: Session) -> None:
    user = make_user(session, Role.coordinator)
    response = log_in(browser, user)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    secret, attributes = cookie_attributes(response)
    assert {"httponly", "samesite=lax", "path=/"} <= attributes
    assert f"max-age={get_settings().session_hours * 3600}" in attributes
    # Served over plain http (a developer's machine), Secure would lose the cookie.
    assert "secure" not in attributes
    stored = session.exec(select(WebSession).where(WebSession.user_id == user.id)).one()
    assert stored.session_hash == digest(secret) != secret


def test_cookie_is_secure_over_https(https_browser: TestClient, session: Session) -> None:
    user = make_user(session, Role.clerk)
    response = log_in(https_browser, user)
    assert response.status_code == 303
    _, attributes = cookie_attributes(response)
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= attributes
    home = https_browser.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert user.username in home.text


def test_home_shows_the_user_and_the_csrf_token(browser: TestClient, session: Session) -> None:
    user = make_user(session, Role.clerk)
    log_in(browser, user)
    start = browser.get("/")
    assert (start.status_code, start.headers["location"]) == (303, "/desk")
    page = browser.get("/desk")
    assert page.status_code == 200
    assert f"Logged in as {user.username} (clerk)" in page.text
    stored = session.exec(select(WebSession).where(WebSession.user_id == user.id)).one()
    assert csrf_token_of(page) == stored.csrf_token
    assert f'name="csrf_token" value="{stored.csrf_token}"' in page.text


def _sent_to_login(response: httpx.Response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login")


def test_home_without_a_session_leads_to_the_login(browser: TestClient) -> None:
    assert _sent_to_login(browser.get("/"))
    browser.cookies.set(SESSION_COOKIE, "forged-session-id")
    assert _sent_to_login(browser.get("/desk"))


def test_expired_session_leads_to_the_login(browser: TestClient, session: Session) -> None:
    user = make_user(session, Role.clerk)
    log_in(browser, user)
    stored = session.exec(select(WebSession).where(WebSession.user_id == user.id)).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert _sent_to_login(browser.get("/desk"))


def test_a_session_expires_by_the_clock(
    browser: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(session, Role.clerk)
    log_in(browser, user)
    assert browser.get("/desk").status_code == 200
    later = utcnow() + timedelta(hours=get_settings().session_hours, seconds=1)
    monkeypatch.setattr("app.auth.service.utcnow", lambda: later)
    assert _sent_to_login(browser.get("/desk"))


@pytest.mark.parametrize("sent", [None, "wrong-token", ""])
def test_logout_without_the_csrf_token_is_403(
    browser: TestClient, session: Session, sent: str | None
) -> None:
    user = make_user(session, Role.coordinator)
    log_in(browser, user)
    data = {} if sent is None else {"csrf_token": sent}
    response = browser.post("/logout", data=data)
    assert response.status_code == 403
    assert "the form has expired or did not come from Konvoi" in response.text
    assert sessions(session) == 1
    assert browser.get("/desk").status_code == 200


@pytest.mark.parametrize("how", ["form", "header"])
def test_logout_with_the_csrf_token_ends_the_session(
    browser: TestClient, session: Session, how: str
) -> None:
    user = make_user(session, Role.coordinator)
    log_in(browser, user)
    secret = browser.cookies[SESSION_COOKIE]
    token = csrf_token_of(browser.get("/desk"))
    if how == "form":
        response = browser.post("/logout", data={"csrf_token": token})
    else:
        response = browser.post("/logout", headers={"X-CSRF-Token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert SESSION_COOKIE not in browser.cookies
    assert sessions(session) == 0
    # The old cookie, replayed, is worthless.
    browser.cookies.set(SESSION_COOKIE, secret)
    assert _sent_to_login(browser.get("/desk"))


def test_csrf_token_of_another_session_is_refused(app: FastAPI, session: Session) -> None:
    user = make_user(session, Role.coordinator)
    with TestClient(app, follow_redirects=False) as mine, TestClient(app) as theirs:
        log_in(mine, user)
        log_in(theirs, user)
        their_token = csrf_token_of(theirs.get("/desk"))
        assert mine.post("/logout", headers={"X-CSRF-Token": their_token}).status_code == 403
    assert sessions(session) == 2


def test_wrong_password_shows_the_form_again_and_is_recorded(
    browser: TestClient, session: Session
) -> None:
    user = make_user(session, Role.clerk)
    response = log_in(browser, user, "not-the-password")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "Wrong username or password." in response.text
    assert "not-the-password" not in response.text
    assert "set-cookie" not in response.headers
    assert sessions(session) == 0
    [failure] = session.exec(select(LoginFailure)).all()
    assert failure.username == user.username


def test_page_login_is_rate_limited_too(browser: TestClient, session: Session) -> None:
    user = make_user(session, Role.clerk)
    for _ in range(get_settings().login_free_failures):
        assert log_in(browser, user, "not-the-password").status_code == 401
    response = log_in(browser, user)
    assert response.status_code == 429
    assert "retry-after" in response.headers
    assert sessions(session) == 0


def test_session_cookie_does_not_authenticate_the_api(
    browser: TestClient, session: Session
) -> None:
    user = make_user(session, Role.admin)
    log_in(browser, user)
    token = csrf_token_of(browser.get("/desk"))
    assert browser.get(f"{API}/auth/me").status_code == 401
    assert browser.get(f"{API}/users").status_code == 401
    response = browser.post(
        f"{API}/users",
        headers={"X-CSRF-Token": token},
        json={"username": "sneaky", "full_name": "S", "role": "admin", "password": "x" * 16},
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert session.exec(select(User).where(User.username == "sneaky")).first() is None


# --- where a form comes from ---------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://attacker.example"},
        {"Origin": "http://testserver.attacker.example"},
        {"Origin": "http://testserver:8080"},  # another site on the same host
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Sec-Fetch-Site": "cross-site"},  # a browser that names no Origin
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain
    ],
)
def test_a_login_posted_by_another_site_is_refused(
    browser: TestClient, session: Session, headers: dict[str, str]
) -> None:
    """Login CSRF: another site signs the victim's browser in as the attacker's account, and
    what the victim then types lands in the attacker's records."""
    attacker = make_user(session, Role.coordinator)
    response = browser.post(
        "/login", data={"username": attacker.username, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 403
    assert "the form has expired or did not come from Konvoi" in response.text
    assert "set-cookie" not in response.headers
    assert sessions(session) == 0
    # Refused before the password is read: no failure recorded, nothing throttled.
    assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},  # a client that is no browser names no origin
        {"Origin": "http://testserver"},
        {"Origin": "HTTP://TESTSERVER:80"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked
    ],
)
def test_a_login_from_konvoi_itself_is_accepted(
    browser: TestClient, session: Session, headers: dict[str, str]
) -> None:
    user = make_user(session, Role.coordinator)
    response = browser.post(
        "/login", data={"username": user.username, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 303
    assert sessions(session) == 1


def test_a_login_from_the_public_address_is_accepted_behind_a_proxy(
    browser: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy that does not pass the Host on: the form's Origin is the public address."""
    monkeypatch.setattr(get_settings(), "public_url", "https://konvoi.example.org")
    user = make_user(session, Role.clerk)
    origin = {"Origin": "https://konvoi.example.org"}
    response = browser.post(
        "/login", data={"username": user.username, "password": PASSWORD}, headers=origin
    )
    assert response.status_code == 303


def test_every_form_checks_the_origin_as_the_login_does(
    browser: TestClient, session: Session
) -> None:
    user = make_user(session, Role.coordinator)
    log_in(browser, user)
    token = csrf_token_of(browser.get("/desk"))
    foreign = browser.post(
        "/logout", data={"csrf_token": token}, headers={"Origin": "https://attacker.example"}
    )
    assert foreign.status_code == 403
    assert sessions(session) == 1
    own = browser.post(
        "/logout", data={"csrf_token": token}, headers={"Origin": "http://testserver"}
    )
    assert own.status_code == 303
    assert sessions(session) == 0
