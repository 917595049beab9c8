"""The facts each document prints, gathered once from the domain: plain JSON-able values.

A document is a template fed with these facts; the same facts give the same bytes, and the
facts stored with an issued document are what "changed since issue" compares against. Numbers
and dates come both raw (for spreadsheets) and as the paper's reader writes them (for PDFs):
on the German and Ukrainian papers as German customs forms do, "1.200,00 €", "16.07.2027";
on a transit country's English paper (``written_in("en")``) in English, "€1,200.00",
"16 Jul 2027". Times are local to their place and name the zone.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from sqlmodel import Session, col, select

from app.convoys import service as convoys
from app.convoys import trip as trips
from app.convoys import way_back
from app.convoys.models import Convoy
from app.core.bilingual import ukrainian_half, ukrainian_or_original
from app.core.i18n import speaking, word
from app.destinations.models import Destination
from app.donors.models import Donor
from app.drivers.models import Driver
from app.exports.models import ExportRecord
from app.items.models import CargoLine, Item, ItemCategory, Packing
from app.organisation import service as organisations
from app.organisation.models import Organisation

Facts = dict[str, Any]

# The catch-all tariff number for disaster-relief goods (DOMAIN.md), where no HS code is given.
CATCH_ALL_HS = "9919 0000"


# The languages of the paper being made: "de-uk" (German beside Ukrainian) or "en".
_pair: ContextVar[str] = ContextVar("paper_languages", default="de-uk")


@contextmanager
def written_in(pair: str) -> Iterator[None]:
    """Facts gathered inside are written as a paper in ``pair`` writes them."""
    token = _pair.set(pair)
    try:
        yield
    finally:
        _pair.reset(token)


def _english() -> bool:
    return _pair.get() == "en"


def _locale() -> str:
    # British English: day before month, as on the rest of a European border's papers.
    return "en_GB" if _english() else "de_DE"


def money(cents: int) -> str:
    return format_currency(cents / 100, "EUR", locale=_locale())


def kg(weight: int) -> str:
    return f"{format_decimal(weight, locale=_locale())} kg"


def day(value: date | None) -> str:
    if not value:
        return ""
    # "16 Jul 2027": the month named, so no reader takes it for the 7th of the 16th month.
    return format_date(value, "d MMM y", locale="en_GB") if _english() else f"{value:%d.%m.%Y}"


def both(value: str) -> str:
    """An enum's word as the papers print it: German / Ukrainian ("Bus / автобус"), or
    English on an English paper ("bus")."""
    if _english():
        with speaking("en"):
            return word(value)
    with speaking("de"):
        german = word(value)
    with speaking("uk"):
        ukrainian = word(value)
    return f"{german} / {ukrainian}"


def unit(value: str) -> str:
    if value == "pcs":
        return "pcs" if _english() else "Stk. / шт."
    return value


def _moment(moment: trips.Moment) -> str:
    # Times as the paper's first language reads them: German beside Ukrainian, or English.
    with speaking("en" if _english() else "de"):
        return str(moment)


def _moment_uk(moment: trips.Moment) -> str:
    """A moment for the Ukrainian half: the Ukrainian words for the day, the place and the
    zone ("сб, 17 лип., 17:15 (Львів, за східноєвропейським літнім часом)")."""
    with speaking("uk"):
        return str(moment)


def _joined(*parts: str | None) -> str:
    return ", ".join(p.strip() for p in parts if p and p.strip())


def _place(destination: Destination | None) -> Facts:
    """A recipient with its address in Latin and in Cyrillic (CMR Art. 6(1)(e))."""
    if destination is None:
        return {
            "id": None,
            "name": "",
            "name_uk": "",
            "city": "",
            "city_uk": "",
            "edrpou": "",
            "contact": "",
            "address": "",
            "address_uk": "",
        }
    code = destination.postal_code or ""
    return {
        "id": destination.id,
        "name": destination.name,
        "name_uk": destination.name_uk or "",
        "city": destination.city,
        "city_uk": destination.city_uk or "",
        "oblast": destination.oblast,
        "edrpou": destination.edrpou,
        "contact": _joined(destination.contact_name, destination.contact_phone),
        # "Zelena St 64, 79017 Lviv, Lvivska, UA" and its Ukrainian form
        "address": _joined(
            destination.street, f"{code} {destination.city}", destination.oblast, "UA"
        ),
        "address_uk": (
            _joined(
                destination.street_uk,
                f"{code} {destination.city_uk}",
                destination.oblast_uk,
                "Україна",
            )
            if destination.city_uk
            else ""
        ),
    }


def carrier_facts(organisation: Organisation | None) -> Facts:
    """The organisation that runs the convoys, as the carrier (CMR Art. 6(1)(c))."""
    if organisation is None:
        return {"name": "", "legal_form": "", "address": "", "register": "", "contact": ""}
    return {
        "name": organisation.name,
        "legal_form": organisation.legal_form,
        "address": _joined(
            organisation.street,
            f"{organisation.postal_code} {organisation.city}",
            organisation.country,
        ),
        "city": organisation.city,
        "register": " ".join(
            p for p in (organisation.register_court, organisation.register_number) if p
        ),
        "contact": _joined(
            organisation.contact_name, organisation.contact_phone, organisation.contact_email
        ),
    }


def donor_facts(donor: Donor | None) -> Facts:
    if donor is None:
        return {"id": None, "name": "", "address": ""}
    street = _joined(donor.street, f"{donor.postal_code or ''} {donor.city or ''}")
    return {"id": donor.id, "name": donor.name, "address": street, "country": donor.country}


def _line(line: CargoLine) -> Facts:
    return {
        "item_id": None,
        "destination_id": None,  # a cargo line goes where its vehicle goes
        "description": line.description,
        "description_uk": ukrainian_half(line.description, line.description_uk),
        "quantity": line.quantity,
        "unit": unit(line.unit),
        "weight_kg": line.weight_kg,
        "weight": kg(line.weight_kg),
        "value_cents": line.value_cents,
        "value": money(line.value_cents),
        "hs_code": line.hs_code or CATCH_ALL_HS,
        "category": both(line.category.value),
        "marks": line.marks or "",
        "packing": both(line.packing.value),
    }


def _equipment_line(item: Item) -> Facts:
    """Equipment riding on a vehicle is a line of that vehicle's cargo, one package; it keeps
    its own recipient, which need not be the vehicle's."""
    return {
        "item_id": item.id,
        "destination_id": item.destination_id,
        "donor_id": item.donor_id,
        "description": item.name,
        "description_uk": ukrainian_half(item.name, item.name_uk),
        "quantity": 1,
        "unit": unit("pcs"),
        "weight_kg": item.weight_kg or 0,
        "weight": kg(item.weight_kg or 0),
        "value_cents": item.declared_value_cents,
        "value": money(item.declared_value_cents),
        "hs_code": item.hs_code or CATCH_ALL_HS,
        "category": both("equipment"),
        "marks": item.serial_number or "",
        # equipment rides lashed or bolted down in its vehicle
        "packing": both(Packing.fixed_in_vehicle.value),
    }


def convoy_facts(session: Session, convoy: Convoy) -> Facts:
    """Everything the convoy's papers print: its trip, each vehicle with plates, trailer,
    drivers per leg and cargo, the recipients and donors, subtotals and totals."""
    assert convoy.id is not None
    legs = convoys.legs_of(session, convoy.id)
    trip = trips.of(convoy, legs)
    loaded = convoys.loaded_items(session, convoy.id)
    items = {item.id: item for _row, item in loaded}
    carried: dict[int, list[Item]] = defaultdict(list)
    vehicles = [item for _row, item in loaded if item.category == ItemCategory.vehicle]
    for row, item in loaded:
        if item.category != ItemCategory.vehicle and row.carrier_id is not None:
            carried[row.carrier_id].append(item)
    vehicle_ids = [v.id for v in vehicles if v.id is not None]
    lines: dict[int, list[CargoLine]] = defaultdict(list)
    if vehicle_ids:
        for line in session.exec(
            select(CargoLine)
            .where(col(CargoLine.vehicle_id).in_(vehicle_ids))
            .order_by(col(CargoLine.id))
        ).all():
            lines[line.vehicle_id].append(line)
    records = convoys.export_records_for(session, [i for i in items if i is not None])
    destination_ids = {i.destination_id for i in items.values() if i.destination_id}
    destinations = {
        d.id: d
        for d in session.exec(
            select(Destination).where(col(Destination.id).in_(destination_ids))
        ).all()
    }
    donor_ids = {i.donor_id for i in items.values()}
    donors = {
        d.id: d for d in session.exec(select(Donor).where(col(Donor.id).in_(donor_ids))).all()
    }
    assignments = convoys.assignments_of(session, convoy.id)
    # The team on the papers includes who drives the way back (the escort van, a minibus).
    back = way_back.plan_of(session, convoy.id)
    driving_home: dict[int, list[str]] = defaultdict(list)
    for return_vehicle, return_leg in back.legs:
        if return_leg.driver_id is not None:
            driving_home[return_leg.driver_id].append(return_vehicle.name)
    crew = session.exec(
        select(Driver).where(
            col(Driver.id).in_({a.driver_id for a in assignments} | set(driving_home))
        )
    ).all()
    people = {d.id: d.name for d in crew}
    leg_position = {leg.id: leg.position for leg in legs}
    drivers_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for a in assignments:
        drivers_of[a.vehicle_id].append(
            (leg_position.get(a.leg_id, 0), people.get(a.driver_id, ""))
        )
    handovers = {h.item_id: h for h in convoys.handovers_of(session, convoy.id)}

    shown_vehicles = []
    by_recipient: dict[int | None, Facts] = {}

    def total_of(recipient: Facts) -> Facts:
        return by_recipient.setdefault(
            recipient["id"],
            {"recipient": recipient, "vehicles": 0, "lines": 0, "weight_kg": 0, "value_cents": 0},
        )

    for n, vehicle in enumerate(vehicles, start=1):
        assert vehicle.id is not None
        record: ExportRecord | None = records.get(vehicle.id)
        declared_aid = bool(record and record.humanitarian_aid)
        cargo = [
            {
                **_line(line),
                "donor_id": vehicle.donor_id,
                "destination_id": vehicle.destination_id,
                "humanitarian_aid": declared_aid,
            }
            for line in lines[vehicle.id]
        ] + [
            {
                **_equipment_line(item),
                "humanitarian_aid": bool(
                    (declared := records.get(item.id or 0)) and declared.humanitarian_aid
                ),
            }
            for item in carried[vehicle.id]
        ]
        for k, shown_line in enumerate(cargo, start=1):
            shown_line["position"] = f"{n}.{k}"
            goes_to = shown_line.pop("destination_id") or 0
            shown_line["recipient"] = _place(destinations.get(goes_to))
        own_weight = vehicle.weight_kg or 0
        weight = own_weight + sum(c["weight_kg"] for c in cargo)
        value = vehicle.declared_value_cents + sum(c["value_cents"] for c in cargo)
        destination = destinations.get(vehicle.destination_id or 0)
        shown = {
            "position": n,
            "id": vehicle.id,
            "name": vehicle.name,
            "name_uk": ukrainian_half(vehicle.name, vehicle.name_uk),
            "kind": both(vehicle.kind.value),
            "make": vehicle.make or "",
            "model": vehicle.model or "",
            "vin": vehicle.vin or "",
            "year": vehicle.year,
            "hs_code": vehicle.hs_code or CATCH_ALL_HS,
            "origin_country": vehicle.origin_country,
            "own_weight_kg": own_weight,
            "own_weight": kg(own_weight),
            "declared_value_cents": vehicle.declared_value_cents,
            "declared_value": money(vehicle.declared_value_cents),
            "export_plate": (record.export_plate if record else None) or "",
            "plate_valid": (
                f"{day(record.plate_valid_from_on)} – {day(record.plate_valid_to_on)}"
                if record and record.plate_valid_from_on
                else ""
            ),
            "mrn": (record.mrn if record else None) or "",
            "exit_confirmed_on": (
                record.exit_confirmed_on.isoformat() if record and record.exit_confirmed_on else ""
            ),
            "customs_office": record.customs_office_code if record else "",
            # its cargo lines travel under its declaration
            "humanitarian_aid": declared_aid,
            "insurer": (record.insurer if record else None) or "",
            "insurance_until": day(record.insurance_until_on) if record else "",
            "trailer": (
                f"{vehicle.trailer_type}, {vehicle.trailer_registration or ''}, "
                f"{kg(vehicle.trailer_permissible_weight_kg or 0)}"
                if vehicle.trailer_type
                else ""
            ),
            "drivers": [{"leg": leg, "name": name} for leg, name in sorted(drivers_of[vehicle.id])],
            "recipient": _place(destination),
            "donor": donor_facts(donors.get(vehicle.donor_id)),
            "lines": cargo,
            "packages": sum(c["quantity"] for c in cargo),
            "gross_weight_kg": weight,
            "gross_weight": kg(weight),
            "value_cents": value,
            "value": money(value),
        }
        shown_vehicles.append(shown)
        # The vehicle counts to its recipient, each line to its own (which may be another's).
        own = total_of(shown["recipient"])
        own["vehicles"] += 1
        own["weight_kg"] += own_weight
        own["value_cents"] += vehicle.declared_value_cents
        for shown_line in cargo:
            total = total_of(shown_line["recipient"])
            total["lines"] += 1
            total["weight_kg"] += shown_line["weight_kg"]
            total["value_cents"] += shown_line["value_cents"]
    recipients = []
    for total in sorted(by_recipient.values(), key=lambda t: t["recipient"]["name"]):
        total["weight"] = kg(total["weight_kg"])
        total["value"] = money(total["value_cents"])
        recipients.append(total)
    weight_total = sum(v["gross_weight_kg"] for v in shown_vehicles)
    value_total = sum(v["value_cents"] for v in shown_vehicles)
    return {
        "convoy": {
            "id": convoy.id,
            "number": convoy.number,
            "name": convoy.name,
            "name_uk": ukrainian_half(convoy.name, convoy.name_uk),
            "coordinator": convoy.coordinator_name,
            "coordinator_phone": convoy.coordinator_phone or "",
            "meeting_point": convoy.meeting_point,
            "meeting_point_uk": ukrainian_half(convoy.meeting_point, convoy.meeting_point_uk),
            "charges": convoy.charges or "",
            "departure": _moment(trip.departure),
            "departure_uk": _moment_uk(trip.departure),
            "departure_day": day(trip.departure.day),
            "arrival": _moment(trip.arrival),
            "arrival_uk": _moment_uk(trip.arrival),
            "handover": _moment(trip.handover),
            "handover_uk": _moment_uk(trip.handover),
            "handover_place": convoy.handover_place or "",
            "handover_place_uk": ukrainian_half(convoy.handover_place, convoy.handover_place_uk),
            "escort_vehicle": convoy.escort_vehicle or "",
            "legs": [
                {
                    "position": leg.position,
                    "from": leg.from_place,
                    "to": leg.to_place,
                    "from_uk": leg.from_place_uk or "",
                    "to_uk": leg.to_place_uk or "",
                }
                for leg in legs
            ],
            # Place names inside Ukrainian text are Ukrainian where they are known.
            "route": " · ".join(f"{leg.from_place} → {leg.to_place}" for leg in legs),
            "route_uk": " · ".join(
                f"{ukrainian_or_original(leg.from_place, leg.from_place_uk)} → "
                f"{ukrainian_or_original(leg.to_place, leg.to_place_uk)}"
                for leg in legs
            ),
            "way_back": [
                {
                    "vehicle": return_vehicle.name,
                    "from": return_leg.from_place,
                    "to": return_leg.to_place,
                    "driver": next((d.name for d in crew if d.id == return_leg.driver_id), ""),
                }
                for return_vehicle, return_leg in back.legs
            ],
        },
        "carrier": carrier_facts(organisations.current(session)),
        "vehicles": shown_vehicles,
        "crew": [
            {
                "id": d.id,
                "name": d.name,
                "phone": d.phone,
                "vehicles": sorted({a.vehicle_id for a in assignments if a.driver_id == d.id}),
                "drives_home": sorted(set(driving_home.get(d.id or 0, []))),
            }
            for d in sorted(crew, key=lambda d: d.name)
        ],
        "donors": {str(i): donor_facts(d) for i, d in sorted(donors.items()) if i is not None},
        "recipients": recipients,
        "handovers": {
            str(item_id): {
                "receiver_name": h.receiver_name,
                "receiver_role": h.receiver_role,
                "on": day(h.handed_over_on),
                "place": h.place,
                "note": h.note or "",
            }
            for item_id, h in sorted(handovers.items())
        },
        "totals": {
            "vehicles": len(shown_vehicles),
            "lines": sum(len(v["lines"]) for v in shown_vehicles),
            "packages": sum(v["packages"] for v in shown_vehicles),
            "weight_kg": weight_total,
            "weight": kg(weight_total),
            "value_cents": value_total,
            "value": money(value_total),
        },
    }


def vehicle_of(facts: Facts, vehicle_id: int) -> Facts | None:
    return next((v for v in facts["vehicles"] if v["id"] == vehicle_id), None)


def consignees(vehicle: Facts) -> list[Facts]:
    """Whom a vehicle carries goods for: its own recipient first, then the others'."""
    found = {vehicle["recipient"]["id"]: vehicle["recipient"]}
    for line in vehicle["lines"]:
        found.setdefault(line["recipient"]["id"], line["recipient"])
    return list(found.values())


def consignment(vehicle: Facts, destination_id: int | None) -> Facts | None:
    """What one vehicle carries for one recipient: the vehicle itself when it is theirs, and
    their lines; None when it carries nothing for them. Where the vehicle is another
    recipient's, ``carried_on`` names it (the goods ride on it, they are not given with it)."""
    included = vehicle["recipient"]["id"] == destination_id
    lines = [line for line in vehicle["lines"] if line["recipient"]["id"] == destination_id]
    if not included and not lines:
        return None
    weight = (vehicle["own_weight_kg"] if included else 0) + sum(x["weight_kg"] for x in lines)
    value = (vehicle["declared_value_cents"] if included else 0) + sum(
        x["value_cents"] for x in lines
    )
    plate = f" ({vehicle['export_plate']})" if vehicle["export_plate"] else ""
    return {
        **vehicle,
        "recipient": vehicle["recipient"] if included else lines[0]["recipient"],
        "vehicle_included": included,
        "carried_on": (
            ""
            if included
            else f"{vehicle['position']}. {vehicle['make']} {vehicle['model']}{plate}".strip()
        ),
        "vehicle_recipient": vehicle["recipient"],
        "lines": lines,
        "packages": sum(x["quantity"] for x in lines),
        "gross_weight_kg": weight,
        "gross_weight": kg(weight),
        "value_cents": value,
        "value": money(value),
    }


def consignments_for(facts: Facts, destination_id: int) -> list[Facts]:
    """Everything the convoy carries for one recipient, vehicle by vehicle."""
    found = (consignment(v, destination_id) for v in facts["vehicles"])
    return [c for c in found if c is not None]


def cmr_facts(facts: Facts, vehicle: Facts, destination_id: int | None) -> Facts | None:
    """One consignment note (CMR Art. 4, 6): one vehicle's goods for one consignee; None
    when the vehicle carries nothing for them. ``None`` for the vehicle's own recipient."""
    theirs = vehicle["recipient"]["id"] if destination_id is None else destination_id
    one = consignment(vehicle, theirs)
    if one is None:
        return None
    if not one["vehicle_included"]:
        # The sender of goods riding on another's vehicle is whoever gives them, not the
        # vehicle's donor.
        givers = [
            facts["donors"][str(i)] for i in dict.fromkeys(x["donor_id"] for x in one["lines"])
        ]
        one["donor"] = (
            givers[0]
            if len(givers) == 1
            else {
                "id": None,
                "name": " · ".join(g["name"] for g in givers),
                "address": " · ".join(g["address"] for g in givers),
                "country": givers[0]["country"],
            }
        )
    everyone = consignees(vehicle)
    declared = ([one["humanitarian_aid"]] if one["vehicle_included"] else []) + [
        x["humanitarian_aid"] for x in one["lines"]
    ]
    return {
        "convoy": facts["convoy"],
        "carrier": facts["carrier"],
        # The export records say whether the goods were declared as humanitarian aid; only
        # then does the note instruct customs so.
        "humanitarian_aid": any(declared),
        "vehicle": one,
        "note": {
            "number": next(n for n, r in enumerate(everyone, start=1) if r["id"] == theirs),
            "of": len(everyone),
            "consignees": [r["name"] for r in everyone],
        },
    }


def handover_facts(facts: Facts, destination_id: int) -> Facts | None:
    """What one recipient takes over from the convoy, with who received what once confirmed:
    its vehicles with their own goods, and its goods riding on others' vehicles."""
    mine = consignments_for(facts, destination_id)
    if not mine:
        return None
    confirmed = facts["handovers"]
    return {
        "convoy": facts["convoy"],
        "recipient": mine[0]["recipient"],
        "vehicles": [
            {
                **v,
                "handover": confirmed.get(str(v["id"])) if v["vehicle_included"] else None,
                "lines": [
                    {**line, "handover": confirmed.get(str(line["item_id"]))} for line in v["lines"]
                ],
            }
            for v in mine
        ],
        "totals": {
            "vehicles": sum(1 for v in mine if v["vehicle_included"]),
            "weight": kg(sum(v["gross_weight_kg"] for v in mine)),
            "value": money(sum(v["value_cents"] for v in mine)),
        },
    }


def covered_items(theirs: Facts) -> list[int]:
    """The items (not cargo lines) among what a recipient takes over: what certificates cover."""
    return [v["id"] for v in theirs["vehicles"] if v["vehicle_included"]] + [
        line["item_id"] for v in theirs["vehicles"] for line in v["lines"] if line["item_id"]
    ]


def donation_facts(facts: Facts, donor_id: int, destination_id: int) -> Facts | None:
    """What one donor gives one recipient on this convoy: its vehicles (category, make, VIN,
    body type, as Resolution 953 asks) and its goods for that recipient, on whichever vehicle."""
    theirs = consignments_for(facts, destination_id)
    vehicles = [v for v in theirs if v["vehicle_included"] and v["donor"]["id"] == donor_id]
    goods = [
        {**line, "vehicle": v["position"], "carried_on": v["carried_on"]}
        for v in theirs
        for line in v["lines"]
        if line["donor_id"] == donor_id
    ]
    if not vehicles and not goods:
        return None
    value = sum(v["declared_value_cents"] for v in vehicles) + sum(g["value_cents"] for g in goods)
    return {
        "convoy": facts["convoy"],
        "donor": facts["donors"][str(donor_id)],
        "recipient": theirs[0]["recipient"],
        "vehicles": vehicles,
        "goods": goods,
        "totals": {
            "value": money(value),
            "value_cents": value,
            "count": len(vehicles) + len(goods),
        },
    }


def usage_form_facts(facts: Facts, destination_id: int, certificates: list[Facts]) -> Facts | None:
    """The usage certificate for a recipient to sign: every item the convoy brings it, and the
    certificates that cover them, each with its purpose."""
    theirs = handover_facts(facts, destination_id)
    if theirs is None:
        return None
    return {**theirs, "certificates": certificates}


def driver_facts(facts: Facts, driver_id: int) -> Facts | None:
    """What one driver shows at the border: their vehicles' papers, one CMR note per
    consignment they carry, and the convoy's contacts."""
    me = next((d for d in facts["crew"] if d["id"] == driver_id), None)
    if me is None:
        return None
    mine = [v for v in facts["vehicles"] if v["id"] in me["vehicles"]]
    notes = [
        note
        for v in mine
        for r in consignees(v)
        if (note := cmr_facts(facts, v, r["id"])) is not None
    ]
    recipients = {r["id"]: r for v in mine for r in consignees(v) if r["id"]}
    return {
        "convoy": facts["convoy"],
        "driver": me,
        "vehicles": mine,
        "notes": notes,
        "crew": [d for d in facts["crew"] if d["id"] != driver_id],
        "recipients": list(recipients.values()),
    }
