"""Markup typed into Konvoi stays text on every page: a record whose every text a user can set
holds an element, an attribute and a refresh that would leave the page is shown by the
coordinator's pages and their htmx fragments, the registers, the desk, the board, the papers
pages, the driver's phone and the utility's delivery pages, and each holds the text as text:
parsed, no injected element or attribute exists, and the words are there to read."""

import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from pypdf import PdfWriter

from app.auth.roles import Role
from app.web.environment import environment
from tests import factories
from tests.convoys import builders as b
from tests.factories import API
from tests.web.conftest import PageClients, soup

# An attribute that would run, a select closed early and a refresh that sends the reader away.
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
ELEMENT = '</select><meta http-equiv="refresh" content="0;url=https://example.invalid/">'
MARKUP = ATTRIBUTE + ELEMENT


def hostile(what: str, markup: str = MARKUP) -> str:
    return f"{what} {markup}"


DONOR = hostile("Donor")
UTILITY = hostile("Utility")
VEHICLE = hostile("Bus")
MAKE = hostile("Make", ATTRIBUTE)  # make and model hold 100 characters
CARGO = hostile("Cargo")
MARKS = hostile("Marks")
NEED = hostile("Need")
DRIVER = hostile("Driver")
NUMBER = '"><img src=x onerror=1>'  # a number holds 30 characters
CONVOY = hostile("Convoy")
MEETING = hostile("Meeting point")
FROM = hostile("From")
TO = hostile("To")
RECEIVER = hostile("Receiver")
ROLE = hostile("Role")
PLACE = hostile("Handover place")
COORDINATOR = hostile("Coordinator")
ESCORT = hostile("Escort")
NOTES = hostile("Notes")
CITY = hostile("City", ATTRIBUTE)  # a city holds 100 characters
CONTACT = hostile("Contact")
ABOUT = hostile("About")
DONOR_CONTACT = hostile("Donor contact")
NOTE = hostile("Note")
DRIVER_NOTES = hostile("Driver notes")
FILE = hostile("Scan") + ".pdf"
CARRIER = hostile("Carrier")
STREET = hostile("Street")


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _record(client: TestClient) -> tuple[b.Planned, dict[str, Any], dict[str, Any], str]:
    """A convoy under way whose every text holds markup, one bus handed over, a need unmet."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * b.H
    destination = factories.destination(
        client, name=UTILITY, city=CITY, contact_name=CONTACT, street=STREET
    )
    factories.organisation(client, name=CARRIER, street=STREET)
    plan = (b.LegPlan(FROM, TO, 0 * b.H, 5 * b.H, 400, 45),)
    planned = b.planned_convoy(
        client,
        start=start,
        plan=plan,
        destination=destination,
        number=NUMBER,
        name=CONVOY,
        coordinator_name=COORDINATOR,
        meeting_point=MEETING,
        handover_place=PLACE,
        escort_vehicle=ESCORT,
        notes=NOTES,
    )
    bus = planned.vehicles[0]
    for path, changes in (
        (f"/donors/{bus['donor_id']}", {"name": DONOR, "contact_name": DONOR_CONTACT}),
        (f"/items/{bus['id']}", {"name": VEHICLE, "make": MAKE, "description": ABOUT}),
        (f"/drivers/{planned.drivers[0]['id']}", {"name": DRIVER, "notes": DRIVER_NOTES}),
    ):
        changed = client.patch(f"{API}{path}", json=changes)
        assert changed.status_code == 200, changed.text
    factories.cargo_line(client, bus["id"], description=CARGO, marks=MARKS)
    need = factories.need(client, destination["id"], description=NEED)
    attached = client.post(
        f"{API}/attachments",
        data={"entity": "item", "entity_id": str(bus["id"]), "kind": "registration_papers"},
        files={"file": (FILE, _pdf(), "application/pdf")},
    )
    assert attached.status_code == 201, attached.text
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    handover = {
        "item_id": bus["id"],
        "receiver_name": RECEIVER,
        "receiver_role": ROLE,
        "handed_over_on": datetime.now(UTC).date().isoformat(),
        "place": PLACE,
        "note": NOTE,
    }
    assert b.post(client, f"/convoys/{planned.id}/handovers", handover).status_code == 201
    # As kept: no path in it, and the quotes as the browser's form encoding sent them.
    kept: str = attached.json()["filename"]
    assert "<img src=x onerror=alert(1)>" in kept
    return planned, bus, need, kept


def _inert(html: str, where: str) -> BeautifulSoup:
    """The page parsed; nothing the data held became an element or an attribute."""
    page = soup(html)
    tags = page.find_all(True)
    assert not [t for t in tags if t.name == "img"], where  # Konvoi's pages show no image
    assert not [t for t in tags if t.name == "meta" and "http-equiv" in t.attrs], where
    assert not [(t.name, a) for t in tags for a in t.attrs if a.startswith("on")], where
    return page


def _readable(page: BeautifulSoup) -> str:
    """What a reader sees: the text, and the values of the inputs and options."""
    values = [
        str(tag.get("value", ""))
        for tag in page.find_all(["input", "textarea", "option"])
        if tag.get("type") != "hidden"
    ]
    return page.get_text(" ") + " " + " ".join(values)


def _show(browser: TestClient, path: str, *, fragment: bool = False) -> str:
    headers = {"HX-Request": "true"} if fragment else {}
    response = browser.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return _readable(_inert(response.text, path))


def test_markup_in_every_text_arrives_as_text_on_every_page(
    client: TestClient, anonymous: TestClient, page_as: PageClients
) -> None:
    planned, bus, need, file = _record(client)
    office = page_as(Role.coordinator)
    phone = page_as(Role.driver, driver_id=planned.drivers[0]["id"])
    utility = page_as(Role.recipient, destination_id=planned.destination["id"])
    donor, destination, driver = (
        bus["donor_id"],
        planned.destination["id"],
        planned.drivers[0]["id"],
    )
    shared = client.post(f"{API}/donors/{donor}/report-links")
    assert shared.status_code == 201, shared.text
    convoy = (NUMBER, CONVOY)
    board = (VEHICLE, DRIVER, FROM, TO)
    plan = (COORDINATOR, ESCORT, NOTES)
    # (who, page, an htmx request for its fragment, what it must show as text)
    pages: list[tuple[TestClient, str, bool, tuple[str, ...]]] = [
        (office, "/desk", False, (NEED, *convoy)),
        (office, "/convoys", False, convoy),
        (office, f"/convoys/{planned.id}", False, (*convoy, *board, *plan, MEETING, PLACE)),
        (office, f"/convoys/{planned.id}", True, board),
        (office, f"/convoys/{planned.id}?choices=all", False, (*convoy, *board, *plan)),
        (office, f"/convoys/{planned.id}/papers", False, (*convoy, DONOR, UTILITY, VEHICLE)),
        (office, f"/convoys/{planned.id}/papers", True, (DONOR, UTILITY, VEHICLE, DRIVER)),
        (office, "/donors", False, (DONOR,)),
        (office, "/donors?q=Donor", True, (DONOR,)),
        (office, f"/donors/{donor}", False, (DONOR, DONOR_CONTACT)),
        (office, f"/donors/{donor}/edit", False, (DONOR, DONOR_CONTACT)),
        (office, "/destinations", False, (UTILITY, CITY)),
        (office, f"/destinations/{destination}", False, (UTILITY, CITY, CONTACT, *convoy)),
        (office, f"/destinations/{destination}/edit", False, (UTILITY, CITY, CONTACT, STREET)),
        (office, "/organisation", False, (CARRIER,)),
        (page_as(Role.admin), "/organisation", False, (CARRIER,)),
        (office, "/items", False, (VEHICLE, DONOR, UTILITY)),
        (office, "/items?q=Bus", True, (VEHICLE,)),
        (office, "/items/new", False, (DONOR, UTILITY)),
        (
            office,
            f"/items/{bus['id']}",
            False,
            (
                VEHICLE,
                MAKE,
                ABOUT,
                DONOR,
                UTILITY,
                CARGO,
                MARKS,
                NUMBER,
                RECEIVER,
                ROLE,
                PLACE,
                NOTE,
                file,
            ),
        ),
        (office, f"/items/{bus['id']}/edit", False, (VEHICLE, MAKE, ABOUT, DONOR, UTILITY)),
        (office, "/needs", False, (NEED,)),
        (office, "/needs/new", False, (UTILITY,)),
        (office, f"/needs/{need['id']}", False, (NEED, UTILITY)),
        (office, f"/needs/{need['id']}/edit", False, (NEED, UTILITY)),
        (office, "/drivers", False, (DRIVER,)),
        (office, f"/drivers/{driver}", False, (DRIVER, DRIVER_NOTES)),
        (office, f"/drivers/{driver}/edit", False, (DRIVER, DRIVER_NOTES)),
        (office, "/certificates", False, ()),
        (office, "/certificates/new", False, (UTILITY,)),
        (office, "/export-records", False, ()),
        (office, "/export-records/new", False, ()),
        (phone, "/my-convoy", False, (*convoy, VEHICLE, MAKE, MEETING, FROM, TO, COORDINATOR)),
        (
            utility,
            "/deliveries",
            False,
            (*convoy, UTILITY, VEHICLE, DONOR, NEED, TO, PLACE, COORDINATOR),
        ),
        (
            utility,
            f"/deliveries/{planned.id}",
            False,
            (NUMBER, VEHICLE, RECEIVER, ROLE, PLACE, NOTE),
        ),
        (utility, "/needs", False, (NEED,)),
        (utility, f"/needs/{need['id']}", False, (NEED, UTILITY)),
        (
            anonymous,
            urlsplit(shared.json()["url"]).path,
            False,
            (DONOR, UTILITY, VEHICLE, NUMBER, RECEIVER, ROLE),
        ),
    ]
    for browser, path, fragment, expected in pages:
        shown = _show(browser, path, fragment=fragment)
        for text in expected:
            assert text in shown, (path, fragment, text)


def test_the_translation_helpers_never_make_a_value_markup() -> None:
    """Jinja's newstyle gettext marks what the catalog returns as safe: a value passed through
    ``_()`` by mistake, or as a message's parameter, must still come out escaped."""
    for language in ("de", "uk", "en"):
        template = environment(language).from_string(
            "{{ _(name) }}|{{ _('%(n)s', n=name) }}|{{ ngettext(name, name, 2) }}|{{ _('Edit') }}"
        )
        shown = template.render(name=ATTRIBUTE)
        assert "<img" not in shown
        assert shown.count("&lt;img src=x onerror=alert(1)&gt;") == 3
        assert shown.endswith({"de": "Bearbeiten", "uk": "Редагувати", "en": "Edit"}[language])


def test_a_message_written_in_a_template_is_its_translation_escaped() -> None:
    """Messages without values are translated as the page's template is compiled: still the
    language's words, still escaped once, "%%" still "%", and a message that wants values
    still fails rather than printing its placeholder."""
    for language, edit in (("de", "Bearbeiten"), ("uk", "Редагувати"), ("en", "Edit")):
        env = environment(language)
        template = env.from_string(
            "{{ _('Edit') }}|{{ _(\"<b>bold</b> & 'quoted'\") }}|{{ _('100%%') }}"
            "|{% set label = _('Edit') %}{{ label }}|{{ thing._('Edit') }}"
        )

        class Thing:
            def _(self, message: str) -> str:
                return f"<{message}>"

        shown = template.render(thing=Thing())
        assert shown == (
            f"{edit}|&lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39;|100%|{edit}|&lt;Edit&gt;"
        )
        with pytest.raises(KeyError):
            env.from_string("{{ _('%(n)s waiting') }}").render()
