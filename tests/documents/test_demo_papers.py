"""The demo's W4U-02 as a customs clerk and a recipient read its papers: two borehole pumps
for Lvivvodokanal ride on the MAN TGL that goes to Chuhuiv. Every paper names each good's own
recipient; the CMR follows the Convention's one note per consignment; each usage form names
the certificate that covers its items, with the purpose in German and Ukrainian.

Read back from the generated PDFs' text, on SQLite and PostgreSQL (the demo in a database of
its own: tests/demo_database.py)."""

import io
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app import demo
from app.auth.roles import Role
from tests.demo_database import API, log_in
from tests.web.conftest import soup

PUMPS = ("BP160-0001", "BP160-0002")  # the borehole pumps' serial numbers: their marks
TGL_VIN = "WMAN01ZZ4DY301278"
LVIV_UK = "ЛМКП «Львівводоканал»"
CHUHUIV_UK = "КП «Чугуївводоканал»"


@dataclass(frozen=True)
class W4U02:
    convoy: int
    lviv: int
    chuhuiv: int
    tgl: int  # the truck for Chuhuiv that carries Lviv's pumps
    pumps_donor: int
    vehicles_donor: int  # WSW mobil, who gives the TGL


def _get(api: TestClient, path: str, **params: Any) -> Any:
    response = api.get(f"{API}{path}", params=params)
    assert response.status_code == 200, response.text
    return response


@pytest.fixture(scope="module")
def w4u02(api: TestClient) -> W4U02:
    convoys = _get(api, "/convoys", sort="number", limit=100).json()["items"]
    convoy = next(c for c in convoys if c["number"] == "W4U-02")
    destinations = {d["name"]: d["id"] for d in _get(api, "/destinations").json()["items"]}
    items = {i["name"]: i for i in _get(api, f"/convoys/{convoy['id']}").json()["items"]}
    tgl = items["MAN TGL 8.180 box truck"]
    pump = items["Borehole pump 160 m³/h, 75 kW, no. 1"]
    donor = _get(api, f"/items/{pump['item_id']}").json()["donor_id"]
    return W4U02(
        convoy=convoy["id"],
        lviv=destinations["Lvivvodokanal"],
        chuhuiv=destinations["Chuhuiv water utility"],
        tgl=tgl["item_id"],
        pumps_donor=donor,
        vehicles_donor=_get(api, f"/items/{tgl['item_id']}").json()["donor_id"],
    )


def _text(pdf: bytes) -> list[str]:
    """Each page's text as pypdf extracts it, as one line: a phrase reads the same wherever
    the page wraps it (and an amount's no-break space as a space)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _pages(api: TestClient, w: W4U02, kind: str, **params: Any) -> list[str]:
    return _text(_get(api, f"/convoys/{w.convoy}/documents/{kind}", **params).content)


def _paper(api: TestClient, w: W4U02, kind: str, **params: Any) -> str:
    return "\n".join(_pages(api, w, kind, **params))


def test_the_manifest_counts_each_good_to_its_own_recipient(api: TestClient, w4u02: W4U02) -> None:
    text = _paper(api, w4u02, "manifest")
    per_recipient = text[text.index("Je Empfänger") :]
    # Chuhuiv: the Unimog with its flood pumps and the TGL, not the pumps riding on the TGL;
    # vehicles, lines, weight, value.
    assert "«Чугуївводоканал» 31704432 2 1 11.160 kg 124.000,00 €" in per_recipient
    # Lviv: with the two pallets of winter jackets from the Westfalenhalle on the Atego.
    assert "«Львівводоканал» 03350120 4 12 52.125 kg 626.000,00 €" in per_recipient
    assert "WH-0001" in text and "WH-0002" in text
    assert "12.120 kg" not in text and "50.760 kg" not in text
    # The pumps' lines under the TGL say whose they are.
    tgl = text[text.index("6.1 Borehole pump") :]
    assert "Empfänger / Отримувач: Lvivvodokanal" in tgl[: tgl.index("6.2")]


def test_the_manifest_sheet_names_each_lines_recipient(api: TestClient, w4u02: W4U02) -> None:
    sheet = _get(api, f"/convoys/{w4u02.convoy}/documents/manifest", format="csv").text
    pumps = [row for row in sheet.splitlines() if "Borehole pump" in row]
    assert len(pumps) == 2 and all(row.endswith("Lvivvodokanal") for row in pumps)
    tgl = next(row for row in sheet.splitlines() if TGL_VIN in row)
    assert tgl.endswith("Chuhuiv water utility")


def test_one_cmr_note_per_consignee_on_the_truck(api: TestClient, w4u02: W4U02) -> None:
    w = w4u02
    # The vehicle's own note (the per-vehicle address as before): the truck, to Chuhuiv.
    own = _pages(api, w, "cmr", vehicle_id=w.tgl)
    assert len(own) == 3  # three originals (Art. 5(1))
    first = own[0]
    assert CHUHUIV_UK in first and TGL_VIN in first
    assert not any(pump in first for pump in PUMPS) and "Borehole pump" not in first
    assert "Frachtbrief / Накладна 1 / 2" in first and "36.000,00 €" in first
    # Naming the vehicle's own recipient addresses the same note.
    assert _pages(api, w, "cmr", vehicle_id=w.tgl, destination_id=w.chuhuiv)[0] == first

    # The pumps' note: Lviv the consignee, the pumps' donor the sender, on the TGL.
    pumps = _pages(api, w, "cmr", vehicle_id=w.tgl, destination_id=w.lviv)
    assert len(pumps) == 3
    note = pumps[0]
    assert LVIV_UK in note and CHUHUIV_UK not in note
    assert all(pump in note for pump in PUMPS) and "Borehole pump" in note
    assert "Bergische Pumpenwerke" in note and "WSW mobil" not in note
    assert "Frachtbrief / Накладна 2 / 2" in note and "960 kg" in note and "76.000,00 €" in note
    assert "VIN" not in note.split("Bezeichnung des Gutes")[1]  # the truck is not their goods
    assert "MAN TGL 8.180 box truck" in note  # but carries them: the carrier box names it


def test_a_cmr_note_for_a_recipient_the_vehicle_carries_nothing_for(
    api: TestClient, w4u02: W4U02
) -> None:
    convoy = _get(api, f"/convoys/{w4u02.convoy}").json()
    unimog = next(i for i in convoy["items"] if i["name"].startswith("Mercedes-Benz Unimog"))
    response = api.get(
        f"{API}/convoys/{w4u02.convoy}/documents/cmr",
        params={"vehicle_id": unimog["item_id"], "destination_id": w4u02.lviv},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "destination_id"


def test_issuing_the_consignees_notes_numbers_each(
    login_desk: TestClient, demo_logins: dict[Role, demo.DemoLogin], w4u02: W4U02
) -> None:
    w = w4u02
    clerk = demo_logins[Role.clerk]
    headers = log_in(login_desk, clerk.username, clerk.password)
    numbers = {}
    for destination in (None, w.chuhuiv, w.lviv):
        issued = login_desk.post(
            headers=headers,
            url=f"{API}/convoys/{w.convoy}/documents",
            json={"kind": "cmr", "vehicle_id": w.tgl, "destination_id": destination},
        )
        assert issued.status_code == 201, issued.text
        numbers[destination] = (issued.json()["number"], issued.json()["revision"])
    # The own note is one paper however it is addressed: the same number, a revision more.
    assert numbers[w.chuhuiv] == (numbers[None][0], 2)
    assert numbers[w.lviv][0] != numbers[None][0] and numbers[w.lviv][1] == 1


def test_the_driver_of_the_truck_carries_both_notes(api: TestClient, w4u02: W4U02) -> None:
    drivers = _get(api, "/drivers", limit=100).json()["items"]
    svitlana = next(d for d in drivers if d["name"] == "Svitlana Bondar")  # drives the TGL
    pages = _pages(api, w4u02, "driver_papers", driver_id=svitlana["id"])
    notes = [p for p in pages if "Internationaler Frachtbrief" in p]
    assert len(notes) == 2
    assert CHUHUIV_UK in notes[0] and not any(pump in notes[0] for pump in PUMPS)
    assert LVIV_UK in notes[1] and all(pump in notes[1] for pump in PUMPS)


def test_the_donation_letters_follow_the_goods(api: TestClient, w4u02: W4U02) -> None:
    w = w4u02
    lviv = _paper(api, w, "donation_letter", donor_id=w.pumps_donor, destination_id=w.lviv)
    assert "Bergische Pumpenwerke" in lviv and LVIV_UK in lviv
    assert "Borehole pump 160 m³/h, 75 kW, no. 1" in lviv
    assert "Borehole pump 160 m³/h, 75 kW, no. 2" in lviv
    assert "76.000,00 €" in lviv
    assert "MAN TGL 8.180 box truck" in lviv  # the vehicle they ride on, another's

    # The pumps' donor gives Chuhuiv nothing.
    refused = api.get(
        f"{API}/convoys/{w.convoy}/documents/donation_letter",
        params={"donor_id": w.pumps_donor, "destination_id": w.chuhuiv},
    )
    assert refused.status_code == 422
    # WSW mobil's letter to Chuhuiv: the TGL, not the pumps riding on it.
    chuhuiv = _paper(api, w, "donation_letter", donor_id=w.vehicles_donor, destination_id=w.chuhuiv)
    assert TGL_VIN in chuhuiv and "Borehole pump" not in chuhuiv


def test_the_handover_acts_list_each_recipients_own_goods(api: TestClient, w4u02: W4U02) -> None:
    w = w4u02
    chuhuiv = _paper(api, w, "handover_act", destination_id=w.chuhuiv)
    assert TGL_VIN in chuhuiv and "Borehole pump" not in chuhuiv
    assert "11.160 kg" in chuhuiv and "124.000,00 €" in chuhuiv
    lviv = _paper(api, w, "handover_act", destination_id=w.lviv)
    assert all(pump in lviv for pump in PUMPS)
    assert TGL_VIN not in lviv  # the truck is Chuhuiv's; Lviv's pumps name it as their carrier
    assert "befördert auf / перевозиться на 6. MAN TGL 8.180 box truck" in lviv
    assert "52.125 kg" in lviv and "626.000,00 €" in lviv


def test_the_usage_forms_name_the_covering_certificate(api: TestClient, w4u02: W4U02) -> None:
    w = w4u02
    lviv = _paper(api, w, "usage_form", destination_id=w.lviv)
    assert "VN-LVIV-002" in lviv and "VN-LVIV-003" not in lviv
    assert "replacement borehole pumps" in lviv
    assert "заміна свердловинних насосів" in lviv
    assert "Workshop van" not in lviv  # VN-LVIV-003's purpose: items not on this convoy
    assert all(pump in lviv for pump in PUMPS)

    chuhuiv = _paper(api, w, "usage_form", destination_id=w.chuhuiv)
    assert "VN-CHU-002" in chuhuiv and "VN-CHU-001" not in chuhuiv
    assert "Обстеження та ремонт трубопроводів" in chuhuiv
    assert TGL_VIN in chuhuiv and "Borehole pump" not in chuhuiv


def test_the_delivered_convoys_form_names_its_own_certificate(api: TestClient) -> None:
    convoys = _get(api, "/convoys", sort="number", limit=100).json()["items"]
    convoy = next(c for c in convoys if c["number"] == "W4U-01")
    chuhuiv = next(
        d["id"]
        for d in _get(api, "/destinations").json()["items"]
        if d["name"] == "Chuhuiv water utility"
    )
    pdf = _get(api, f"/convoys/{convoy['id']}/documents/usage_form", destination_id=chuhuiv).content
    text = "\n".join(_text(pdf))
    assert "VN-CHU-001" in text and "VN-CHU-002" not in text
    assert "Emergency power, pipe repairs and crew transport" in text
    assert "Аварійне електроживлення" in text


def test_the_donor_report_names_the_vehicle_the_pumps_ride_on(
    api: TestClient, w4u02: W4U02
) -> None:
    pdf = _get(api, f"/donors/{w4u02.pumps_donor}/report").content
    text = "\n".join(_text(pdf))
    assert text.count("Lvivvodokanal") >= 2 and "Chuhuiv" not in text
    assert "MAN TGL 8.180 box truck" in text


def test_the_recipients_page_links_letters_that_are_made(
    login_desk: TestClient, demo_logins: dict[Role, demo.DemoLogin], w4u02: W4U02
) -> None:
    recipient = demo_logins[Role.recipient]
    browser = TestClient(login_desk.app, follow_redirects=False)
    login = browser.post(
        "/login", data={"username": recipient.username, "password": recipient.password}
    )
    assert login.status_code == 303, login.text
    page = soup(browser.get("/deliveries").text)
    # The recipient reads Ukrainian: the items' and the carrier's Ukrainian names.
    pumps = [li.get_text(" ", strip=True) for li in page.select("li") if "Свердловинний" in li.text]
    assert len(pumps) == 2
    assert all("Вантажівка MAN TGL 8.180 фургон" in p for p in pumps)
    letters = [
        a["href"]
        for a in page.select("a[href*='donation_letter']")
        if f"convoys/{w4u02.convoy}/" in a["href"]
    ]
    assert any(f"donor_id={w4u02.pumps_donor}" in href for href in letters)
    for href in letters:
        assert browser.get(href).status_code == 200, href


def test_the_boards_papers_offer_each_consignees_note_and_letter(
    login_desk: TestClient, demo_logins: dict[Role, demo.DemoLogin], w4u02: W4U02
) -> None:
    w = w4u02
    clerk = demo_logins[Role.clerk]
    browser = TestClient(login_desk.app, follow_redirects=False)
    login = browser.post("/login", data={"username": clerk.username, "password": clerk.password})
    assert login.status_code == 303, login.text
    page = soup(browser.get(f"/convoys/{w.convoy}/papers").text)
    links = [a["href"] for a in page.select("a[href*='/documents/']")]
    notes = [h for h in links if "/documents/cmr?" in h and f"vehicle_id={w.tgl}" in h]
    assert sorted(notes) == sorted(
        [
            f"/convoys/{w.convoy}/documents/cmr?format=pdf&vehicle_id={w.tgl}",
            f"/convoys/{w.convoy}/documents/cmr?format=pdf&vehicle_id={w.tgl}"
            f"&destination_id={w.lviv}",
        ]
    )
    for href in notes:
        assert browser.get(href).status_code == 200, href
    letters = [h for h in links if "donation_letter" in h and f"donor_id={w.pumps_donor}" in h]
    assert letters == [
        f"/convoys/{w.convoy}/documents/donation_letter?format=pdf&donor_id={w.pumps_donor}"
        f"&destination_id={w.lviv}"
    ]


def test_w4u02s_papers_read_in_ukrainian_throughout(api: TestClient, w4u02: W4U02) -> None:
    """The demo's ready convoy has every text in both languages: no paper marks anything
    untranslated, and places inside the Ukrainian half are Ukrainian."""
    w = w4u02
    papers = {
        "manifest": _paper(api, w, "manifest"),
        "cmr": _paper(api, w, "cmr", vehicle_id=w.tgl),
        "handover_act": _paper(api, w, "handover_act", destination_id=w.chuhuiv),
        "usage_form": _paper(api, w, "usage_form", destination_id=w.lviv),
        "donation_letter": _paper(
            api, w, "donation_letter", donor_id=w.pumps_donor, destination_id=w.lviv
        ),
    }
    for kind, text in papers.items():
        assert "(без перекладу)" not in text, kind
    assert "Шість машин WSW для Львова" in papers["manifest"]
    assert "Митниця Краковець → Депо Львівводоканалу у Львові" in papers["manifest"]
    assert "Вантажівка MAN TGL 8.180 фургон" in papers["manifest"]
    assert "Подвір'я Львівводоканалу, Львів" in papers["cmr"]
    # The letter's Ukrainian sentence names the city in Ukrainian, not as "Lviv".
    ukrainian = papers["donation_letter"][papers["donation_letter"].index("Дарчий лист") :]
    assert "ЄДРПОУ 03350120, Львів" in ukrainian


def test_w4u03s_missing_ukrainian_name_is_listed_before_issue(
    login_desk: TestClient, demo_logins: dict[Role, demo.DemoLogin]
) -> None:
    clerk = demo_logins[Role.clerk]
    browser = TestClient(login_desk.app, follow_redirects=False)
    login = browser.post("/login", data={"username": clerk.username, "password": clerk.password})
    assert login.status_code == 303, login.text
    desk = soup(browser.get("/desk").text)
    listed = [li.get_text(" ", strip=True) for li in desk.select("#ukrainian-heading ~ ul li")]
    assert [t for t in listed if t.startswith("W4U-03")], listed
    assert not [t for t in listed if t.startswith("W4U-02")], listed
