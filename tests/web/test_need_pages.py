"""Needs as pages: a receiving utility states and edits its own (in Ukrainian, its destination
fixed), sees nobody else's; the office sees every need with the items matched to it."""

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.convoys import builders as b
from tests.web.conftest import PageClients, csrf_token, soup


def _form_fields(html: str) -> dict[str, str]:
    page = soup(html)
    fields = {str(i["name"]): str(i.get("value", "")) for i in page.select("form input[name]")}
    for select in page.select("form select[name]"):
        chosen = select.select("option[selected]")
        fields[str(select["name"])] = str(chosen[0]["value"]) if chosen else ""
    return fields


def test_a_utility_states_a_need_for_itself_in_ukrainian(
    client: TestClient, page_as: PageClients
) -> None:
    ours = factories.destination(client)
    theirs = factories.destination(client)
    utility = page_as(Role.recipient, language="uk", destination_id=ours["id"])
    form = utility.get("/needs/new")
    assert form.status_code == 200
    assert form.headers["content-language"] == "uk"
    html = soup(form.text)
    assert html.select_one("#destination_id") is None  # its own, not a choice
    assert html.select_one("#description") is not None
    created = utility.post(
        "/needs/new",
        data={
            "item_kind": "pump",
            "description": "Насос для свердловини",
            "quantity": "3",
            "priority": "1",
            # A forged field does not move the need to another utility.
            "destination_id": str(theirs["id"]),
            "csrf_token": csrf_token(form.text),
        },
    )
    assert created.status_code == 303, created.text
    need_id = int(created.headers["location"].rsplit("/", 1)[1])
    stored = b.get(client, f"/needs/{need_id}")
    assert (stored["destination_id"], stored["quantity"]) == (ours["id"], 3)
    shown = utility.get(f"/needs/{need_id}")
    assert "Насос для свердловини" in shown.text
    assert "Потреба" in soup(shown.text).select("h1")[0].get_text()


def test_a_utility_sees_only_its_own_needs(client: TestClient, page_as: PageClients) -> None:
    ours = factories.destination(client)
    theirs = factories.destination(client)
    mine = factories.need(client, ours["id"], description="Our pump")
    other = factories.need(client, theirs["id"], description="Their generator")
    utility = page_as(Role.recipient, destination_id=ours["id"])
    listed = utility.get("/needs")
    assert listed.status_code == 200
    assert "Our pump" in listed.text and "Their generator" not in listed.text
    assert utility.get(f"/needs/{mine['id']}").status_code == 200
    assert utility.get(f"/needs/{other['id']}").status_code == 404
    assert utility.get(f"/needs/{other['id']}/edit").status_code == 404
    # The office's registers stay closed to it.
    assert utility.get("/items").status_code == 403


def test_an_edit_with_a_bad_quantity_names_the_field_and_changes_nothing(
    client: TestClient, page_as: PageClients
) -> None:
    ours = factories.destination(client)
    need = factories.need(client, ours["id"], quantity=2)
    utility = page_as(Role.recipient, language="en", destination_id=ours["id"])
    form = utility.get(f"/needs/{need['id']}/edit")
    fields = _form_fields(form.text) | {"quantity": "0", "description": "Two pumps, 160 m³/h"}
    refused = utility.post(f"/needs/{need['id']}/edit", data=fields)
    assert refused.status_code == 422
    html = soup(refused.text)
    assert html.select("#quantity")[0]["aria-invalid"] == "true"
    assert "greater than 0" in html.select("#quantity-error")[0].get_text()
    assert html.select("#description")[0]["value"] == "Two pumps, 160 m³/h"  # kept
    assert b.get(client, f"/needs/{need['id']}")["quantity"] == 2
    fields["quantity"] = "4"
    saved = utility.post(f"/needs/{need['id']}/edit", data=fields)
    assert saved.status_code == 303, saved.text
    assert b.get(client, f"/needs/{need['id']}")["quantity"] == 4


def test_the_office_sees_what_is_matched_and_a_utility_can_cancel(
    client: TestClient, page_as: PageClients
) -> None:
    ours = factories.destination(client)
    need = factories.need(client, ours["id"], item_kind="bus", quantity=2)
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"], name="Solaris Urbino 12")
    b.post(client, f"/items/{bus['id']}/accept")
    allocated = b.post(
        client,
        f"/items/{bus['id']}/allocate",
        {"destination_id": ours["id"], "need_id": need["id"]},
    )
    assert allocated.status_code == 200, allocated.text
    office = page_as(Role.coordinator)
    shown = soup(office.get(f"/needs/{need['id']}").text)
    assert [a.get_text() for a in shown.select("#matched-heading ~ table a")] == [
        "Solaris Urbino 12"
    ]
    assert "1 of 2 matched" in shown.get_text()
    utility = page_as(Role.recipient, language="en", destination_id=ours["id"])
    page = utility.get(f"/needs/{need['id']}")
    assert soup(page.text).select("#matched-heading ~ table a") == []  # names, no office links
    refused = utility.post(
        f"/needs/{need['id']}/cancel", data={"csrf_token": "forged"}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert b.get(client, f"/needs/{need['id']}")["status"] != "cancelled"
    cancelled = utility.post(
        f"/needs/{need['id']}/cancel", data={"csrf_token": csrf_token(page.text)}
    )
    assert cancelled.status_code == 303
    assert b.get(client, f"/needs/{need['id']}")["status"] == "cancelled"


def test_a_coordinator_checks_then_imports_a_needs_list(
    client: TestClient, page_as: PageClients
) -> None:
    lviv = factories.destination(client)
    office = page_as(Role.coordinator)
    form = office.get("/needs/import")
    assert form.status_code == 200
    token = csrf_token(form.text)
    header = "edrpou,kind,description,quantity\n"
    bad = (header + f"{lviv['edrpou']},pump,Pumps,-2\n").encode()
    checked = office.post(
        "/needs/import",
        data={"csrf_token": token, "step": "import"},
        files={"file": ("needs.csv", bad, "text/csv")},
    )
    assert checked.status_code == 422
    cells = [td.get_text() for td in soup(checked.text).select("#report-heading ~ table td")]
    assert cells[:2] == ["2", "quantity"]
    assert b.get(client, f"/needs?destination_id={lviv['id']}")["items"] == []
    good = (header + f"{lviv['edrpou']},pump,Pumps,2\n").encode()
    done = office.post(
        "/needs/import",
        data={"csrf_token": token, "step": "import"},
        files={"file": ("needs.csv", good, "text/csv")},
    )
    assert done.status_code == 200
    stored = b.get(client, f"/needs?destination_id={lviv['id']}")["items"]
    assert [(n["description"], n["quantity"]) for n in stored] == [("Pumps", 2)]


def test_a_coordinator_imports_a_donation_offer_from_the_item_register(
    client: TestClient, page_as: PageClients
) -> None:
    factories.donor(client, name="Stadtwerke Beispielstadt")
    office = page_as(Role.coordinator)
    register = soup(office.get("/items").text)
    assert register.select_one('a[href="/items/import"]') is not None
    form = office.get("/items/import")
    token = csrf_token(form.text)
    header = "row_type,donor,category,kind,name,declared_value_eur,serial_number\n"
    bad = (header + "item,Nobody e.V.,equipment,pump,Pump,100,P-1\n").encode()
    refused = office.post(
        "/items/import",
        data={"csrf_token": token, "step": "import"},
        files={"file": ("offer.csv", bad, "text/csv")},
    )
    assert refused.status_code == 422
    cells = [td.get_text() for td in soup(refused.text).select("#report-heading ~ table td")]
    assert cells[:2] == ["2", "donor"]
    good = (header + "item,Stadtwerke Beispielstadt,equipment,pump,Pump 7 kW,100,P-7\n").encode()
    done = office.post(
        "/items/import",
        data={"csrf_token": token, "step": "import"},
        files={"file": ("offer.csv", good, "text/csv")},
    )
    assert done.status_code == 200, done.text
    listed = b.get(client, "/items?q=Pump 7 kW")["items"]
    assert [(i["name"], i["status"]) for i in listed] == [("Pump 7 kW", "offered")]
