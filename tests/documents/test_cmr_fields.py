"""Every field the CMR Convention asks of a consignment note (Art. 6(1)), read back from the
PDF of the demo's W4U-02, on SQLite and PostgreSQL: the truck for Chuhuiv (its own note) and
the note of Lviv's borehole pumps riding on it."""

from fastapi.testclient import TestClient

from app import demo
from app.auth.roles import Role
from app.core.localtime import today_at
from app.documents.facts import day
from tests.demo_database import API, log_in
from tests.documents.test_demo_papers import PUMPS, W4U02, _get, _pages, _text, w4u02

__all__ = ["w4u02"]  # the fixture, shared with the other papers' tests

STATEMENT = "unterliegt trotz einer gegenteiligen Abmachung den Bestimmungen"


def test_the_trucks_own_note_carries_every_field(api: TestClient, w4u02: W4U02) -> None:
    w = w4u02
    note = _pages(api, w, "cmr", vehicle_id=w.tgl)[0]
    convoy = _get(api, f"/convoys/{w.convoy}").json()
    record = _get(api, f"/items/{w.tgl}/export-record").json()
    # (a) made out at the meeting point, on the day it is made out: not the departure day
    made_out = note[note.index("Ausgefertigt in, am") :]
    assert made_out.startswith("Ausgefertigt in, am / Складено в, дата WSW bus depot, Wuppertal")
    assert day(today_at("Europe/Berlin")) in made_out[:120]
    assert convoy["planned_departure_at"][:10] != today_at("Europe/Berlin").isoformat()
    # (b) the sender with its full address
    assert "WSW mobil GmbH Bromberger Straße 39–41, 42281 Wuppertal, DE" in note
    # (c) the carrier: the association, its address and register, with the vehicle's plate
    assert "Water4Ukraine e.V. (eingetragener Verein (e.V.))" in note
    assert "Bromberger Straße 39–41, 42281 Wuppertal, DE Amtsgericht Wuppertal VR 31245" in note
    assert f"Номерний знак {record['export_plate']}" in note
    # (d)/(e) the consignee's full address, in Latin and in Cyrillic, and the place of delivery
    assert "Chuhuiv water utility Kharkivska St 37, 63503 Chuhuiv, Kharkivska, UA" in note
    assert "КП «Чугуївводоканал» вул. Харківська, 37, 63503 Чугуїв, Харківська область" in note
    assert (
        "Lvivvodokanal yard, Lviv Подвір'я Львівводоканалу, Львів "
        "für / для Chuhuiv water utility, Chuhuiv / Чугуїв"
    ) in note
    # (f) the vehicle is its own package; (g) marked by plate and VIN; (h) its gross weight
    goods = note[note.index("Bezeichnung des Gutes") :]
    assert f"{record['export_plate']} VIN WMAN01ZZ4DY301278 1 Fahrzeug selbst" in goods
    assert "Summe / Разом 1 4.300 kg 36.000,00 €" in goods
    # (i) no charges: free humanitarian aid, by default
    assert "Keine: unentgeltliche humanitäre Hilfe / Немає: безоплатна гуманітарна" in note
    # (j) declared as humanitarian aid on its export record, so customs are told
    assert record["humanitarian_aid"] is True
    assert "Humanitäre Hilfe, Waren ohne Handelswert" in note
    assert f"Митниця експорту {record['customs_office_code']} · MRN {record['mrn']}" in note
    # (k) the Convention statement, in both languages
    assert STATEMENT in note and "регулюється Конвенцією" in note


def test_the_pumps_note_gives_packing_marks_and_weight(api: TestClient, w4u02: W4U02) -> None:
    w = w4u02
    note = _pages(api, w, "cmr", vehicle_id=w.tgl, destination_id=w.lviv)[0]
    assert "Bergische Pumpenwerke GmbH Industriestraße 12, 42853 Remscheid, DE" in note
    assert "вул. Зелена, 64, 79017 Львів, Львівська область, Україна" in note
    goods = note[note.index("Bezeichnung des Gutes") :]
    for pump in PUMPS:
        assert f"{pump} 1 Stk. / шт. im Fahrzeug befestigt / закріплено в транспортному" in goods
    assert "Summe / Разом 2 960 kg 76.000,00 €" in goods


def test_a_buss_note_lists_its_cargos_packing(api: TestClient, w4u02: W4U02) -> None:
    items = _get(api, f"/convoys/{w4u02.convoy}").json()["items"]
    bus = next(i for i in items if i["name"] == "MAN Lion's City A21")
    goods = _pages(api, w4u02, "cmr", vehicle_id=bus["item_id"])[0]
    goods = goods[goods.index("Bezeichnung des Gutes") :]
    assert "W4U-02 1/1–6 150 Stk. / шт. Karton / картон Rugged smartphones" in goods
    assert "W4U-02 1/7–8 8 Stk. / шт. Palette / піддон Portable generators" in goods
    assert "Summe / Разом 159 12.390 kg" in goods


def test_charges_and_customs_follow_the_convoys_own_data(
    login_desk: TestClient, demo_logins: dict[Role, demo.DemoLogin]
) -> None:
    # Committed: this module's demo database is its own, and this test its last reader.
    coordinator = demo_logins[Role.coordinator]
    desk = login_desk
    headers = log_in(desk, coordinator.username, coordinator.password)
    convoys = desk.get(f"{API}/convoys", params={"limit": 100}, headers=headers).json()["items"]
    blocked = next(c for c in convoys if c["number"] == "W4U-03")
    url = f"{API}/convoys/{blocked['id']}"
    bus = desk.get(url, headers=headers).json()["items"][0]
    too_long = desk.patch(url, json={"charges": "x" * 201}, headers=headers)
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"][-1] == "charges"
    charged = desk.patch(url, json={"charges": "Diesel paid by the sender"}, headers=headers)
    assert charged.status_code == 200, charged.text
    assert charged.json()["charges"] == "Diesel paid by the sender"
    response = desk.get(
        f"{url}/documents/cmr", params={"vehicle_id": bus["item_id"]}, headers=headers
    )
    assert response.status_code == 200, response.text
    note = _text(response.content)[0]
    assert "Diesel paid by the sender" in note and "unentgeltliche" not in note
    # Its export records declare no humanitarian aid: the note does not claim it.
    assert "Humanitäre Hilfe" not in note and "Митниця експорту" in note
    assert STATEMENT in note
