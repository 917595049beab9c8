"""Which licence classes let a driver drive what (German Fahrerlaubnis, FeV § 6)."""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Protocol, TypeVar

from app.core.identifiers import LicenceClass
from app.items import lifecycle


class HeldLicence(Protocol):
    """A licence class a driver holds, until when: a stored licence or a row of one."""

    @property
    def licence_class(self) -> LicenceClass: ...

    @property
    def expires_on(self) -> date: ...


L = TypeVar("L", bound=HeldLicence)


def covers(held: LicenceClass, required: LicenceClass) -> bool:
    """A higher class includes the ones below it on the card (CE includes C, C1E, C1, BE, B).

    The table lives with the vehicles' licence requirement, so both sides read one rule.
    """
    return lifecycle.covers(held, required)


def classes_covering(required: LicenceClass) -> list[LicenceClass]:
    """Every class whose holder may drive a vehicle that needs ``required``."""
    return [held for held in LicenceClass if covers(held, required)]


def valid_licence_for(licences: Sequence[L], required: LicenceClass, valid_until: date) -> L | None:
    """A held licence that covers ``required`` and does not expire before ``valid_until``.

    A licence that expires before the convoy returns does not count (DOMAIN.md).
    """
    for lic in licences:
        if covers(LicenceClass(lic.licence_class), required) and lic.expires_on >= valid_until:
            return lic
    return None


def merged(windows: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Free days as the fewest ranges: ranges that overlap or follow each other day after day
    are one ("free Thu-Fri" and "free Sat-Mon" is "free Thu-Mon"). The drivers' service
    stores them so, and the readiness check reads them so."""
    spans: list[tuple[date, date]] = []
    for first, last in sorted(windows):
        if spans and first <= spans[-1][1] + timedelta(days=1):
            spans[-1] = (spans[-1][0], max(spans[-1][1], last))
        else:
            spans.append((first, last))
    return spans
