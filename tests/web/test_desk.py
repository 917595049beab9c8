"""The coordinator's desk, read as a coordinator sees it."""

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.convoys import builders as b
from tests.web.conftest import PageClients, soup


def test_the_desk_lists_every_open_need_that_nothing_meets(
    client: TestClient, page_as: PageClients
) -> None:
    lviv = factories.destination(client)
    donor = factories.donor(client)
    # 26 open needs an item each half meets, the least urgent: the desk once read 25 open needs
    # (least urgent first) and kept those without items, so the 4 below never showed.
    for n in range(26):
        need = factories.need(client, lviv["id"], description=f"Met {n}", priority=5, quantity=2)
        pump = factories.equipment(client, donor["id"], name=f"Pump {n}", kind="pump")
        b.post(client, f"/items/{pump['id']}/accept")
        allocated = b.post(
            client,
            f"/items/{pump['id']}/allocate",
            {"destination_id": lviv["id"], "need_id": need["id"]},
        )
        assert allocated.status_code == 200, allocated.text
    for n in range(4):
        factories.need(client, lviv["id"], description=f"Unmet {n}", priority=1 + n % 2)

    page = page_as(Role.coordinator).get("/desk")

    assert page.status_code == 200
    listed = [li.get_text() for li in soup(page.text).select("#needs-heading ~ ul li")]
    # The most urgent first, then as they were asked for.
    assert listed == ["Unmet 0 (2)", "Unmet 2 (2)", "Unmet 1 (2)", "Unmet 3 (2)"]


def test_a_withdrawn_item_meets_nothing_and_a_cancelled_need_is_not_asked_for(
    client: TestClient, page_as: PageClients
) -> None:
    lviv = factories.destination(client)
    donor = factories.donor(client)
    need = factories.need(client, lviv["id"], description="Pump, donor withdrew it")
    pump = factories.equipment(client, donor["id"], kind="pump")
    b.post(client, f"/items/{pump['id']}/accept")
    b.post(
        client,
        f"/items/{pump['id']}/allocate",
        {"destination_id": lviv["id"], "need_id": need["id"]},
    )
    withdrawn = b.post(client, f"/items/{pump['id']}/withdraw", {"reason": "Sold by the donor"})
    assert withdrawn.status_code == 200, withdrawn.text
    cancelled = factories.need(client, lviv["id"], description="No longer needed")
    assert b.post(client, f"/needs/{cancelled['id']}/cancel").status_code == 200

    page = page_as(Role.coordinator).get("/desk")

    listed = [li.get_text() for li in soup(page.text).select("#needs-heading ~ ul li")]
    assert listed == ["Pump, donor withdrew it (2)"]


def test_the_desk_names_convoys_items_and_needs_in_the_readers_language(
    client: TestClient, page_as: PageClients
) -> None:
    lviv = factories.destination(client)
    donor = factories.donor(client)
    b.convoy(client, b.friday_ahead(), name="Pumps for Lviv", name_uk="Насоси для Львова")
    factories.need(client, lviv["id"], description="Chlorine dosing pump",
                   description_uk="Насос-дозатор хлору")  # fmt: skip
    pump = factories.equipment(client, donor["id"], name="Submersible pump",
                               name_uk="Занурювальний насос")  # fmt: skip
    b.post(client, f"/items/{pump['id']}/accept")
    allocated = b.post(client, f"/items/{pump['id']}/allocate", {"destination_id": lviv["id"]})
    assert allocated.status_code == 200, allocated.text
    # A need nobody has put into Ukrainian yet shows as typed, marked as not translated.
    factories.need(client, lviv["id"], description="Pipe fittings DN150")

    def desk(language: str) -> str:
        page = page_as(Role.coordinator, language=language).get("/desk")
        assert page.status_code == 200
        return " ".join(soup(page.text).select("main")[0].get_text(" ").split())

    ukrainian, german = desk("uk"), desk("de")
    for said in ("Насоси для Львова", "Насос-дозатор хлору", "Занурювальний насос"):
        assert said in ukrainian and said not in german
    for typed in ("Pumps for Lviv", "Chlorine dosing pump", "Submersible pump"):
        assert typed in german and typed not in ukrainian
    assert "Pipe fittings DN150 (не перекладено)" in ukrainian
