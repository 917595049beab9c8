"""Which licence classes let a driver drive what (German Fahrerlaubnis, FeV § 6)."""

from datetime import date

from app.core.identifiers import LicenceClass as L
from app.drivers.models import DriverLicence

# A higher class includes the ones below it on the card (CE includes C, C1E, C1, BE, B ...).
COVERS: dict[L, frozenset[L]] = {
    L.B: frozenset({L.B}),
    L.BE: frozenset({L.BE, L.B}),
    L.C1: frozenset({L.C1, L.B}),
    L.C1E: frozenset({L.C1E, L.C1, L.BE, L.B}),
    L.C: frozenset({L.C, L.C1, L.B}),
    L.CE: frozenset({L.CE, L.C, L.C1E, L.C1, L.BE, L.B}),
    L.D1: frozenset({L.D1, L.B}),
    L.D: frozenset({L.D, L.D1, L.B}),
}


def covers(held: L, required: L) -> bool:
    return required in COVERS[held]


def valid_licence_for(
    licences: list[DriverLicence], required: L, valid_until: date
) -> DriverLicence | None:
    """A held licence that covers ``required`` and does not expire before ``valid_until``.

    A licence that expires before the convoy returns does not count (DOMAIN.md).
    """
    for lic in licences:
        if covers(L(lic.licence_class), required) and lic.expires_on >= valid_until:
            return lic
    return None
