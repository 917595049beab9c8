"""Needs as pages: the utilities' requests with what is matched to them. The office keeps all
of them; a receiving utility states and edits its own (its destination is fixed, not chosen).
"""

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from app.auth import visibility
from app.auth.deps import require_version
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.database import SessionDep
from app.core.errors import DomainError
from app.destinations import service as destinations
from app.imports import needs as imports
from app.imports import pages as import_pages
from app.items.models import Item
from app.needs import service
from app.needs.models import Need
from app.needs.schemas import NeedCreate, NeedRead, NeedStatus, NeedUpdate
from app.registers.pages import Register, routes
from app.web import forms
from app.web.i18n import N_
from app.web.pages import PagePrincipalDep

STATUS_WORDS = {
    "open": N_("open"),
    "matched": N_("matched"),
    "fulfilled": N_("fulfilled"),
    "cancelled": N_("cancelled"),
}


def _search(
    session: Session,
    principal: Principal,
    q: str | None,
    cursor: str | None,
    filters: dict[str, str],
) -> tuple[Sequence[NeedRead], str | None]:
    status = filters.get("status", "")
    rows, next_cursor = service.search(
        session,
        destination_id=None,
        item_kind=None,
        status=NeedStatus(status) if status in NeedStatus.__members__ else None,
        q=q,
        sort="priority",
        cursor=cursor,
        limit=50,
        visible=visibility.needs(principal),
    )
    return service.read_page(session, rows), next_cursor


def _choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    return {"destination_id": destinations.choices(session)}


def _details(session: Session, need: Any) -> dict[str, Any]:
    """What is matched: the items allocated against the need, with their status."""
    shown = service.read(session, need)
    matched = (
        session.exec(select(Item).where(col(Item.id).in_(shown.matched_item_ids))).all()
        if shown.matched_item_ids
        else []
    )
    return {"need": shown, "matched": matched, "status_words": STATUS_WORDS}


def _own_destination(principal: Principal) -> dict[str, str]:
    if principal.role == Role.recipient and principal.destination_id is not None:
        return {"destination_id": str(principal.destination_id)}
    return {}


NEEDS = Register(
    path="needs",
    entity="need",
    title=N_("Needs"),
    singular=N_("Need"),
    operations={
        "list": "list_needs",
        "get": "get_need",
        "create": "create_need",
        "update": "update_need",
    },
    create_schema=NeedCreate,
    update_schema=NeedUpdate,
    labels={
        "destination_id": N_("Utility"),
        "item_kind": N_("Kind"),
        "description": N_("What is needed"),
        "description_uk": N_("What is needed, in Ukrainian"),
        "quantity": N_("How many"),
        "priority": N_("Priority (1 = most urgent)"),
        "requested_on": N_("Asked for on"),
    },
    columns=[
        ("description", N_("What is needed")),
        ("quantity", N_("How many")),
        ("matched_quantity", N_("Matched")),
        ("delivered_quantity", N_("Received")),
        ("priority", N_("Priority")),
    ],
    get=service.get,
    create=service.create,
    update=service.update,
    search=_search,
    choices=_choices,
    details=_details,
    detail_template="needs/need.html",
    open_to_recipients=True,
    guard=visibility.require_need,
    fixed=_own_destination,
    search_hint=N_("Search the descriptions"),
)

router = routes(NEEDS)


@router.post("/needs/{need_id}/cancel", response_model=None, name="needs_cancel")
def cancel(
    request: Request, need_id: int, session: SessionDep, principal: PagePrincipalDep
) -> Response:
    """The utility no longer needs it; the same service call as the API's."""
    NEEDS.admit(principal, "cancel_need")
    need: Need = NEEDS.fetch(session, principal, need_id)
    require_version(request, need)
    try:
        service.cancel(session, need)
        session.flush()
    except DomainError as exc:
        problems = forms.field_errors(exc)
        if not problems:
            raise
        session.rollback()
        return NEEDS.record_page(
            request, session, principal, need_id, problems=problems, status_code=exc.status_code
        )
    return RedirectResponse(f"/needs/{need_id}", status_code=303)


# A needs list from a spreadsheet: checked first, then recorded whole.
imports_router = import_pages.routes(
    import_pages.SheetImport(
        register="needs",
        register_title=N_("Needs"),
        title=N_("Import a needs list"),
        intro=N_(
            "An XLSX or CSV file with the columns of the template: the utility by its EDRPOU, "
            "the kind, what is needed, how many, the priority and the day it was asked for. "
            "Check it first: every bad row is named with its column. The import records every "
            "row or none, and never a row twice."
        ),
        operation="import_needs",
        template_operation="get_needs_template",
        run=imports.run,
        template=imports.template,
        template_name="konvoi-needs-template",
    )
)
