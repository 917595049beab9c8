"""The coordinator's desk: what needs me today.

Upcoming convoys with their readiness, items waiting for a certificate or export data, needs
that nothing meets yet, drivers whose licence runs out before their next convoy is back.
Everything comes from the domains' services; the readiness check is the one the API answers.
"""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.convoys import readiness
from app.convoys import service as convoys
from app.convoys.models import Convoy
from app.convoys.schemas import Finding, Readiness
from app.core.database import SessionDep
from app.documents.untranslated import Untranslated, lacking_ukrainian
from app.items import service as items
from app.items.models import Item, ItemStatus
from app.needs import service as needs
from app.needs.models import Need
from app.web.pages import PagePrincipalDep, require
from app.web.templating import render

router = APIRouter(include_in_schema=False)
SHOWN = 25


@dataclass
class Desk:
    convoys: list[tuple[Convoy, Readiness]]
    awaiting_certificate: list[Item]
    awaiting_export_data: list[Item]
    unmet_needs: list[Need]
    licences_running_out: list[tuple[Convoy, Finding]]
    # What each upcoming convoy's papers would print untranslated in their Ukrainian half
    untranslated: list[tuple[Convoy, list[Untranslated]]]


def _items(session: Session, status: ItemStatus) -> list[Item]:
    rows, _ = items.search(
        session,
        q=None,
        status=status,
        category=None,
        kind=None,
        donor_id=None,
        destination_id=None,
        sort="name",
        cursor=None,
        limit=SHOWN,
    )
    return list(rows)


def gather(session: Session) -> Desk:
    upcoming = [(c, readiness.check(session, c)) for c in convoys.upcoming(session)]
    lacking = lacking_ukrainian(session, [c for c, _ in upcoming])
    return Desk(
        convoys=upcoming,
        awaiting_certificate=_items(session, ItemStatus.allocated),
        awaiting_export_data=_items(session, ItemStatus.certified),
        unmet_needs=needs.unmet(session),
        licences_running_out=[
            (c, f)
            for c, result in upcoming
            for f in result.blockers
            if f.code == "driver_licence_missing"
        ],
        untranslated=[(c, lacking[c.id]) for c, _ in upcoming if c.id and lacking[c.id]],
    )


@router.get("/desk", response_class=HTMLResponse)
def desk(request: Request, session: SessionDep, principal: PagePrincipalDep) -> HTMLResponse:
    require(principal, "get_convoy_readiness")
    return render(request, "desk/desk.html", {"desk": gather(session)}, principal=principal)
