"""Data in both languages: what users type for needs, convoys, their places and legs carries a
Ukrainian text beside it; Ukrainian pages and the Ukrainian half of the papers use it; where it
is missing the original shows marked, and the desk and the convoy's papers list it before the
papers are issued. On SQLite and PostgreSQL, through the API, the pages and the parsed PDFs."""

import io
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.auth.roles import Role
from tests import factories
from tests.convoys import builders as b
from tests.web.conftest import PageClients, soup

API = "/api/v1"


def _pdf_text(response: Any) -> str:
    assert response.status_code == 200, response.text
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def _patched(client: TestClient, path: str, body: dict[str, Any]) -> None:
    response = client.patch(f"{API}{path}", json=body)
    assert response.status_code == 200, response.text


def _translated(client: TestClient, planned: b.Planned) -> None:
    """Everything the papers print, given its Ukrainian text."""
    _patched(client, f"/convoys/{planned.id}", {
        "name_uk": "Насоси та автобуси для Львова",
        "meeting_point_uk": "Автобусне депо WSW, Вупперталь",
    })  # fmt: skip
    for leg in planned.legs:
        _patched(client, f"/convoys/{planned.id}/legs/{leg['id']}",
                 {"from_place_uk": "Вупперталь", "to_place_uk": "Львів"})  # fmt: skip
    for bus in planned.vehicles:
        _patched(client, f"/items/{bus['id']}", {"name_uk": "Автобус MAN Lion's City"})
    _patched(client, f"/destinations/{planned.destination['id']}",
             {"name_uk": "ЛМКП «Львівводоканал»", "city_uk": "Львів"})  # fmt: skip
    buses = {bus["id"] for bus in planned.vehicles}
    for certificate in client.get(f"{API}/certificates", params={"limit": 200}).json()["items"]:
        if buses & set(certificate["item_ids"]):
            _patched(client, f"/certificates/{certificate['id']}",
                     {"intended_use_uk": "Питне водопостачання"})  # fmt: skip


def test_needs_convoys_and_legs_keep_their_ukrainian_text(client: TestClient) -> None:
    destination = factories.destination(client)
    need = factories.need(
        client,
        destination["id"],
        description="Diesel generator 100 kVA",
        description_uk="Дизельний генератор 100 кВА",
    )
    assert b.get(client, f"/needs/{need['id']}")["description_uk"] == "Дизельний генератор 100 кВА"
    convoy = b.convoy(
        client,
        b.friday_ahead(),
        name_uk="Перша колона до Львова",
        meeting_point_uk="Автобусне депо, Вупперталь",
        handover_place="Lvivvodokanal yard, Lviv",
        handover_place_uk="Подвір'я Львівводоканалу, Львів",
    )
    start = b.friday_ahead()
    leg = b.leg(client, convoy["id"], start, start + 8 * b.H, to_place_uk="Гермсдорф")
    read = b.get(client, f"/convoys/{convoy['id']}")
    assert (read["name_uk"], read["meeting_point_uk"], read["handover_place_uk"]) == (
        "Перша колона до Львова",
        "Автобусне депо, Вупперталь",
        "Подвір'я Львівводоканалу, Львів",
    )
    assert (leg["from_place_uk"], leg["to_place_uk"]) == (None, "Гермсдорф")
    # Bounded like the originals, refused naming the field, nothing stored.
    too_long = client.patch(f"{API}/needs/{need['id']}", json={"description_uk": "ж" * 501})
    assert b.error_fields(too_long) == ["description_uk"]
    assert b.get(client, f"/needs/{need['id']}")["description_uk"] == "Дизельний генератор 100 кВА"


def test_a_ukrainian_page_shows_the_ukrainian_text_and_marks_what_is_missing(
    client: TestClient, page_as: PageClients
) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * b.H
    planned = b.planned_convoy(client, start=start, name_uk="Насоси для Львова")
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    destination = planned.destination["id"]
    factories.need(client, destination, description="Buses for the crews",
                   description_uk="Автобуси для бригад")  # fmt: skip
    factories.need(client, destination, description="PE pipes DN 315")
    factories.need(client, destination, description="Екскаватор для ремонту мереж")
    page = page_as(Role.recipient, language="uk", destination_id=destination)
    html = soup(page.get("/deliveries").text)
    needs = {a.get_text(" ", strip=True) for a in html.select("ul.needs li a")}
    assert "Автобуси для бригад" in needs
    assert "Buses for the crews" not in html.get_text()
    # Missing: the original, marked; typed in Cyrillic already: nothing to mark.
    untranslated = [s.get_text(" ", strip=True) for s in html.select(".untranslated")]
    assert any(t.startswith("PE pipes DN 315") and "не перекладено" in t for t in untranslated)
    assert not any("Екскаватор" in t for t in untranslated)
    assert "Насоси для Львова" in html.get_text()
    # The convoy's places and its vehicle: the originals, marked, until translated.
    assert any("MAN" in t for t in untranslated)
    # Times name their zone in Ukrainian, not as Latin abbreviations.
    text = html.get_text(" ")
    assert "за центральноєвропейським" in text  # the leg ends in Germany
    assert not any(abbreviation in text.split() for abbreviation in ("CEST", "CET", "MESZ"))
    # A German reader sees the originals, unmarked.
    german = soup(page_as(Role.coordinator, language="de").get("/needs?q=PE").text)
    assert not german.select(".untranslated")


def test_the_convoy_list_names_each_convoy_in_the_readers_language(
    client: TestClient, page_as: PageClients
) -> None:
    b.convoy(client, b.friday_ahead(), name="Pumps for Lviv", name_uk="Насоси для Львова")
    b.convoy(client, b.friday_ahead(), name="Buses for Mykolaiv")

    def listed(language: str) -> str:
        """The list's first column: each convoy's number and name."""
        page = page_as(Role.coordinator, language=language).get("/convoys")
        assert page.status_code == 200
        return " ".join(
            td.get_text(" ", strip=True) for td in soup(page.text).select("tbody td:first-child")
        )

    ukrainian, german = listed("uk"), listed("de")
    assert "Насоси для Львова" in ukrainian and "Pumps for Lviv" not in ukrainian
    assert "Buses for Mykolaiv (не перекладено)" in ukrainian
    assert "Pumps for Lviv" in german and "Насоси для Львова" not in german


def test_the_board_names_the_convoy_its_legs_and_goods_in_the_readers_language(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=2)
    _translated(client, planned)
    pump = factories.equipment(client, planned.vehicles[0]["donor_id"], name="Submersible pump")
    assert b.post(client, f"/items/{pump['id']}/accept").status_code == 200
    b.load(client, planned.id, pump["id"])

    def board(language: str) -> str:
        page = page_as(Role.coordinator, language=language).get(f"/convoys/{planned.id}")
        assert page.status_code == 200
        # The heading, where it meets and ends, the seat grid's legs and vehicles, and what
        # the convoy carries.
        named = soup(page.text).select("h1, h1 ~ p, table.seat-grid th, #loaded li > a")
        return " ".join(" ".join(tag.get_text(" ") for tag in named).split())

    ukrainian, german = board("uk"), board("de")
    for said in (
        "Насоси та автобуси для Львова",
        "Автобусне депо WSW, Вупперталь",
        "Вупперталь → Львів",
        "Автобус MAN Lion's City",
    ):
        assert said in ukrainian and said not in german
    assert "Submersible pump (не перекладено)" in ukrainian
    assert "Submersible pump" in german and "не перекладено" not in german


def test_the_papers_ukrainian_half_uses_the_ukrainian_text_or_says_it_is_missing(
    client: TestClient,
) -> None:
    planned = b.planned_convoy(client)
    manifest = _pdf_text(client.get(f"{API}/convoys/{planned.id}/documents/manifest"))
    assert "(без перекладу)" in manifest
    _translated(client, planned)
    manifest = _pdf_text(client.get(f"{API}/convoys/{planned.id}/documents/manifest"))
    assert "(без перекладу)" not in manifest
    assert "Насоси та автобуси для Львова" in manifest
    assert "Вупперталь → Львів" in manifest  # the route, Ukrainian place names
    assert "Автобус MAN Lion's City" in manifest
    act = _pdf_text(
        client.get(
            f"{API}/convoys/{planned.id}/documents/handover_act",
            params={"destination_id": planned.destination["id"]},
        )
    )
    assert "ЛМКП «Львівводоканал»" in act
    assert "Львів" in act and "(без перекладу)" not in act


def test_the_desk_and_the_papers_list_what_is_not_in_ukrainian_until_it_is(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, start=b.friday_ahead(10))
    office = page_as(Role.coordinator, language="de")
    desk = soup(office.get("/desk").text)
    listed = desk.select(f'#ukrainian-heading ~ ul a[href="/convoys/{planned.id}/papers"]')
    assert listed, "the desk lists the convoy's untranslated papers"
    papers = soup(office.get(f"/convoys/{planned.id}/papers").text)
    gaps = {a.get_text(" ", strip=True): a["href"] for a in papers.select(".untranslated-list a")}
    assert "Name des Konvois" in gaps
    assert "Etappe 1: nach" in gaps
    assert gaps["Name des Gegenstands"] == f"/items/{planned.vehicles[0]['id']}/edit"
    assert gaps["Empfänger"] == f"/destinations/{planned.destination['id']}/edit"
    # Each link leads to a form with the Ukrainian field to fill in.
    form = soup(office.get(gaps["Name des Gegenstands"]).text)
    assert form.select('input[name="name_uk"]')
    _translated(client, planned)
    assert not soup(office.get(f"/convoys/{planned.id}/papers").text).select(".untranslated-list")
    desk = soup(office.get("/desk").text)
    assert not desk.select(f'#ukrainian-heading ~ ul a[href="/convoys/{planned.id}/papers"]')


def test_a_new_convoy_and_a_leg_take_their_ukrainian_text_on_the_board(
    client: TestClient, page_as: PageClients
) -> None:
    from tests.web.conftest import csrf_token

    office = page_as(Role.coordinator, language="de")
    form = office.get("/convoys/new")
    created = office.post(
        "/convoys/new",
        data={
            "csrf_token": csrf_token(form.text),
            "number": "W4U-UA1",
            "name": "Pumps for Chuhuiv",
            "name_uk": "Насоси для Чугуєва",
            "coordinator_name": "Rita Falkenberg",
            "meeting_point": "WSW bus depot, Wuppertal",
            "meeting_point_uk": "Автобусне депо WSW, Вупперталь",
            "meeting_time_zone": "Europe/Berlin",
            "planned_departure_at": "2031-07-18T17:00",
        },
    )
    assert created.status_code == 303, created.text
    board_path = created.headers["location"]
    convoy_id = int(board_path.rstrip("/").split("/")[-1])
    read = b.get(client, f"/convoys/{convoy_id}")
    assert (read["name_uk"], read["meeting_point_uk"]) == (
        "Насоси для Чугуєва",
        "Автобусне депо WSW, Вупперталь",
    )
    board = office.get(board_path)
    # The first leg starts where the convoy meets, in both languages.
    starts = soup(board.text).select('input[name="from_place_uk"]')
    assert [i["value"] for i in starts] == ["Автобусне депо WSW, Вупперталь"]
    added = office.post(
        f"/convoys/{convoy_id}/legs",
        data={
            "csrf_token": csrf_token(board.text),
            "from_place": "WSW bus depot, Wuppertal",
            "from_place_uk": "Автобусне депо WSW, Вупперталь",
            "to_place": "Lviv",
            "to_place_uk": "Львів",
            "to_time_zone": "Europe/Kyiv",
            "planned_departure_at": "2031-07-18T17:00",
            "planned_arrival_at": "2031-07-19T20:00",
            "distance_km": "1400",
        },
    )
    assert added.status_code in (200, 303), added.text
    legs = b.get(client, f"/convoys/{convoy_id}")["legs"]
    assert [(leg["from_place_uk"], leg["to_place_uk"]) for leg in legs] == [
        ("Автобусне депо WSW, Вупперталь", "Львів")
    ]


def test_a_paper_marks_what_the_desk_lists_and_nothing_typed_in_cyrillic(
    client: TestClient,
) -> None:
    """One rule for pages, papers and the desk: a cargo line typed in Ukrainian needs no
    Ukrainian text beside it, and the paper prints it once, unmarked."""
    planned = b.planned_convoy(client)
    _translated(client, planned)
    factories.cargo_line(
        client, planned.vehicles[0]["id"], description="Генератори 6 кВА", description_uk=None
    )
    manifest = _pdf_text(client.get(f"{API}/convoys/{planned.id}/documents/manifest"))
    assert "(без перекладу)" not in manifest
    assert manifest.count("Генератори 6 кВА") == 1
