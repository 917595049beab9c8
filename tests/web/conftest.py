"""Pages are tested as a browser uses them: logged in through the form, with the session
cookie and the CSRF token, read as parsed HTML."""

import re
from collections.abc import Callable, Iterator

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.roles import Role
from tests.accounts import PASSWORD, make_user

PageClients = Callable[..., TestClient]


@pytest.fixture
def page_as(app: FastAPI, session: Session) -> Iterator[PageClients]:
    """A browser logged in through the login page: ``page_as(Role.driver, driver_id=3)``;
    English unless ``language`` says otherwise. A recipient reads Ukrainian until its account
    picks another language, so a recipient asked for in another language has picked it."""
    opened: list[TestClient] = []

    def make(role: Role, language: str = "en", **links: int | None) -> TestClient:
        user = make_user(session, role, **links)
        if role == Role.recipient and language != "uk":
            user.locale = language
            session.commit()
        browser = TestClient(app, follow_redirects=False, headers={"Accept-Language": language})
        opened.append(browser)
        login = browser.post("/login", data={"username": user.username, "password": PASSWORD})
        assert login.status_code == 303, login.text
        return browser

    yield make
    for browser in opened:
        browser.close()


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def csrf_token(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)
