"""Every page and every htmx fragment, rendered from the demo in German and Ukrainian, says
every word in the reader's language: no message left in English, no enum value shown raw.

The pages are found by walking the app's routes (a new page is checked without being listed
here) and opened as each role that may open them (tests/auth/test_authorization_matrix.py),
with every record of the demo that their path names. A word is English when the English
messages use it while no message of the page's language and no record of the demo's data does:
"leg" in "Offen geblieben: leg 1", "under" and "way" in a raw "under_way". An enum value shown
on its own as the stored value ("ready", "(coordinator)") is found even where the data uses the
same word.
"""

import re
from collections.abc import Iterator
from functools import cache

import pytest
import sqlalchemy as sa
from babel import Locale
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import SQLModel

from app import demo
from app.auth.roles import Role
from app.core import i18n
from app.core.i18n import LOCALE_DIR
from app.core.identifiers import LicenceClass
from tests.auth.test_authorization_matrix import EXPECTED, routes_of

LANGUAGES = ("de", "uk")
# Who opens a page, in this order of preference for pages several may open.
READERS = (Role.coordinator, Role.admin, Role.driver, Role.recipient)
# Pages that are no HTML page to read: files, the service worker, the framework's own.
NOT_PAGES = re.compile(
    r"^/(api|static|docs|openapi|sw\.js|healthz|metrics|reports/)|"
    r"\{fmt\}|\{kind\}|\{paper\}|/file$|calendar\.ics$|^/login$|^/logout$|^/language$"
)
# Stored text that is not data typed by people: the audit trail's field names and values, and
# the values of enums (they must be shown as words, never as stored).
SYSTEM_COLUMNS = frozenset(
    {"changes", "action", "entity", "parent_entity", "operation", "left_open", "status_reason"}
)
# Latin words that are the same in the pages' languages or are names, not English words.
SAME_EVERYWHERE = frozenset(
    {"konvoi", "ok", "id", "pdf", "csv", "xlsx", "ics", "eur", "kg", "km", "min", "h"}
    # The name of each language in itself, in the language switch.
    | {"english"}
    # Licence classes are written the same in every language.
    | {c.value.lower() for c in LicenceClass}
)
_WORD = re.compile(r"[A-Za-z]+")
_REGISTER_TABLES = {
    "items": "item",
    "donors": "donor",
    "destinations": "destination",
    "drivers": "driver",
    "needs": "need",
    "certificates": "usage_certificate",
    "export-records": "export_record",
    "organisation": "organisation",
}


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if len(w) > 1}


@cache
def _catalog_words(language: str) -> frozenset[str]:
    """The Latin words of the translations into ``language`` (names such as VIN, MRN)."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    found: set[str] = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert isinstance(string, str)
            found |= _words(re.sub(r"\{\w+\}|%\(\w+\)[sd]", " ", string or ""))
    return frozenset(found)


@cache
def _calendar_words(language: str) -> frozenset[str]:
    """The names of days and months in ``language`` (German "Do" for Thursday, "Mai"), which
    dates on a page show in whichever week the tests run."""
    locale = Locale.parse(language)
    found: set[str] = set()
    for names in (locale.days, locale.months):
        for context in names.values():
            for width in context.values():
                for name in width.values():
                    found |= _words(name)
    return frozenset(found)


@cache
def _english_words() -> frozenset[str]:
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    found: set[str] = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            assert isinstance(msgid, str)
            found |= _words(re.sub(r"\{\w+\}|%\(\w+\)[sd]", " ", msgid))
    return frozenset(found)


def _enum_values() -> set[str]:
    from enum import Enum

    values: set[str] = set()
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            enum = getattr(column.type, "enum_class", None)
            if isinstance(enum, type) and issubclass(enum, Enum):
                values |= {str(m.value) for m in enum}
    return values


def _data_strings(engine: Engine) -> frozenset[str]:
    """The demo's own data: names, places, descriptions typed by people, shown as they are."""
    found: set[str] = set()
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if isinstance(getattr(c.type, "impl", c.type), sa.String)
                and getattr(c.type, "enum_class", None) is None
                and c.name not in SYSTEM_COLUMNS
            ]
            if not columns:
                continue
            for row in connection.execute(sa.select(*columns)):
                found |= {v.strip() for v in row if isinstance(v, str) and len(v.strip()) > 1}
    return frozenset(found)


def _ids(engine: Engine, table: str) -> list[int]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT id FROM {table} ORDER BY id"))  # noqa: S608
        return [int(r[0]) for r in rows]


def _page_routes(app: FastAPI) -> list[str]:
    return sorted(
        path
        for key, (method, path) in routes_of(app).items()
        if key.startswith("GET /") and not NOT_PAGES.search(path)
    )


# Path parameters not named after their table.
_PARAM_TABLES = {
    "entry_id": "ledger_entry",
    "point_id": "collection_point",
    "line_id": "stock_line",
}
# Tables of the demo with hundreds of records one page shows alike (the hall's 344 stock
# lines, made category by category): about this many, spread over all of them.
_SAMPLED = {"stock_line": 30}


def _urls(path: str, engine: Engine) -> Iterator[str]:
    """``path`` with each record of the demo its parameters name."""
    params = re.findall(r"\{(\w+)\}", path)
    if not params:
        yield path
        return
    if params == ["convoy_id", "leg_id"]:  # a leg's page: each leg (or return leg) of each convoy
        table = "return_leg" if "/return-legs/" in path else "leg"
        with engine.connect() as connection:
            legs = connection.execute(
                sa.text(f"SELECT convoy_id, id FROM {table} ORDER BY id")  # noqa: S608
            )
            for convoy_id, leg_id in legs:
                yield path.replace("{convoy_id}", str(convoy_id)).replace("{leg_id}", str(leg_id))
        return
    assert len(params) == 1, f"a page with two parameters: {path}; teach this test its records"
    (param,) = params
    if param == "record_id":
        table = _REGISTER_TABLES[path.split("/")[1]]
    elif param == "convoy_id":
        table = "convoy"
    elif param in _PARAM_TABLES:
        table = _PARAM_TABLES[param]
    else:
        table = param.removesuffix("_id")
    ids = _ids(engine, table)
    if table in _SAMPLED:  # one template over hundreds of like records: every n-th of them
        ids = ids[:: max(1, len(ids) // _SAMPLED[table])]
    for record_id in ids:
        yield path.replace(f"{{{param}}}", str(record_id))


def visible_text(html: str) -> tuple[str, list[str]]:
    """The words a reader sees or hears (text, labels, titles), and each text on its own."""
    document = BeautifulSoup(html, "html.parser")
    for hidden in document(["script", "style", "template", "code"]):
        hidden.decompose()
    pieces = [str(s) for s in document.find_all(string=True)]
    for element in document.find_all(True):
        for attribute in ("title", "aria-label", "placeholder", "alt"):
            value = element.get(attribute)
            if isinstance(value, str):
                pieces.append(value)
        if element.name == "input" and element.get("type") in ("submit", "button"):
            pieces.append(str(element.get("value", "")))
    return " ".join(pieces), [p.strip() for p in pieces if p.strip()]


def untranslated(html: str, language: str, data: frozenset[str]) -> list[str]:
    """What ``html`` shows in English: words, and enum values shown as stored. The demo's
    own data (``data``, a donor's name, a driver's note) is shown as typed, so it is taken
    out of the text first: the words left are the page's own."""
    text, pieces = visible_text(html)
    if data:
        text = _pattern(data).sub(" ", text)
    english = _english_words() - _catalog_words(language) - _calendar_words(language)
    english -= SAME_EVERYWHERE
    found = sorted(_words(text) & english)
    raw = _raw_enum_values(language)
    found += sorted({piece for piece in pieces if piece.strip("()[]:,.;· ") in raw})
    return found


@cache
def _pattern(data: frozenset[str]) -> re.Pattern[str]:
    """Each value of the data as a whole, the longest first, not inside another word."""
    values = sorted(data, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, values)) + r")(?!\w)")


@cache
def _raw_enum_values(language: str) -> frozenset[str]:
    """Enum values whose word in ``language`` differs from the stored value."""
    with i18n.speaking(language):
        return frozenset(v for v in _enum_values() if i18n.word(v) not in (v, v.replace("_", " ")))


# --- the test --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def readers(
    rolled_back_app: FastAPI,
    login_desk: TestClient,
    demo_logins: dict[Role, demo.DemoLogin],
) -> Iterator[dict[tuple[Role, str], TestClient]]:
    """A browser per role and language, logged in through the login page."""
    clients: dict[tuple[Role, str], TestClient] = {}
    for role in READERS:
        account = demo_logins[role]
        login = login_desk.post(
            "/login",
            data={"username": account.username, "password": account.password},
            follow_redirects=False,
        )
        assert login.status_code == 303, login.text
        for language in LANGUAGES:
            client = TestClient(
                rolled_back_app,
                follow_redirects=False,
                headers={"Accept-Language": language},
                cookies=dict(login.cookies),
            )
            clients[role, language] = client
    yield clients
    for client in clients.values():
        client.close()


def _problems(
    app: FastAPI,
    engine: Engine,
    readers: dict[tuple[Role, str], TestClient],
    language: str,
) -> tuple[dict[str, list[str]], int]:
    data = _data_strings(engine)
    problems: dict[str, list[str]] = {}
    read = 0
    for path in _page_routes(app):
        allowed = EXPECTED.get(f"GET {path}", frozenset())
        for role in READERS:
            if role.value not in allowed:
                continue
            if role == Role.admin and Role.coordinator.value in allowed:
                continue  # the office's pages once; the admin's own where only it goes
            client = readers[role, language]
            for url in _urls(path, engine):
                for fragment in (False, True):
                    headers = {"HX-Request": "true"} if fragment else {}
                    response = client.get(url, headers=headers)
                    if response.status_code != 200:
                        continue  # not this reader's record (404), or a redirect
                    if "text/html" not in response.headers.get("content-type", ""):
                        continue
                    read += 1
                    found = untranslated(response.text, language, data)
                    if found:
                        where = f"{role.value} {url}{' (htmx)' if fragment else ''}"
                        problems[where] = found
    return problems, read


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_and_fragment_speaks_the_readers_language(
    rolled_back_app: FastAPI,
    demo_engine: Engine,
    readers: dict[tuple[Role, str], TestClient],
    language: str,
) -> None:
    problems, read = _problems(rolled_back_app, demo_engine, readers, language)
    assert read > 50, "the walk opened too few pages to mean anything"
    listed = "\n".join(f"{where}: {', '.join(words)}" for where, words in problems.items())
    assert not problems, f"{len(problems)} page(s) in {language} show English:\n{listed}"


def test_the_check_finds_english_and_raw_values() -> None:
    data: frozenset[str] = frozenset({"Lviv"})
    said = "<p>Offen geblieben: leg 1</p><td>under_way</td><span>(coordinator)</span><p>Lviv</p>"
    assert untranslated(said, "de", data) == [
        "coordinator",
        "leg",
        "under",
        "way",
        "(coordinator)",
        "under_way",
    ]
    assert untranslated("<p>Offen geblieben: Etappe 1, Lviv</p>", "de", data) == []


def test_a_refusal_names_its_field_in_the_readers_language() -> None:
    from app.core.errors import InvalidInput

    with i18n.speaking("uk"):
        refused = InvalidInput([("donor_id", "Донора 999 не існує")])
        assert refused.message == "Донор: Донора 999 не існує"
        assert i18n.field_name("items.1.destination_id") == "Одержувач (2)"
    with i18n.speaking("de"):
        assert i18n.field_name("body.plates_valid_until") == "Kennzeichen gültig bis"


# Refusals come back as pages and fragments too: every convoy asked to become ready and to
# depart, every item asked to move on, each refused with its reasons in the reader's language.
# (Each request is rolled back: the demo stays as it is.)
_CONVOY_ACTIONS = ("mark-ready", "depart")
_ITEM_ACTIONS = ("accept", "certify", "mark-export-ready")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_refusal_speaks_the_readers_language(
    demo_engine: Engine, readers: dict[tuple[Role, str], TestClient], language: str
) -> None:
    data = _data_strings(demo_engine)
    client = readers[Role.coordinator, language]
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/desk").text)
    assert token is not None
    sent = {"csrf_token": token[1]}
    problems: dict[str, list[str]] = {}
    refused = 0
    posts = [
        f"/convoys/{c}/actions/{a}" for c in _ids(demo_engine, "convoy") for a in _CONVOY_ACTIONS
    ]
    posts += [f"/items/{i}/actions/{a}" for i in _ids(demo_engine, "item") for a in _ITEM_ACTIONS]
    for url in posts:
        for fragment in (False, True):
            headers = {"HX-Request": "true"} if fragment else {}
            response = client.post(url, data=sent, headers=headers)
            if response.status_code < 400:
                continue
            refused += 1
            found = untranslated(response.text, language, data)
            if found:
                problems[f"POST {url}{' (htmx)' if fragment else ''}"] = found
    assert refused > 20, "too few refusals to mean anything"
    listed = "\n".join(f"{where}: {', '.join(words)}" for where, words in problems.items())
    assert not problems, f"{len(problems)} refusal(s) in {language} show English:\n{listed}"
