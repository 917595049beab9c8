"""The papers on the pages: a "Documents" section on the convoy board (previews in each format,
issue buttons, the issued files with "changed since issue"), and the downloads behind it, for
the browser session. Who gets which paper is the documents service's decision, as on the API.
"""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.auth import visibility
from app.auth.policy import may
from app.auth.service import Principal
from app.convoys import service as convoys
from app.convoys.models import Convoy
from app.core.database import SessionDep
from app.core.downloads import content_disposition
from app.core.types import RecordId
from app.documents import donor_report, service
from app.documents import facts as papers
from app.documents.models import IssuedDocument
from app.documents.untranslated import Untranslated, lacking_ukrainian
from app.donors import service as donors
from app.donors.models import Donor
from app.web.pages import PagePrincipalDep, require
from app.web.templating import render

router = APIRouter(include_in_schema=False)


@dataclass
class Shown:
    """One issued document as the board lists it."""

    document: IssuedDocument
    changed: list[str]


@dataclass
class Section:
    vehicles: list[dict[str, object]] = field(default_factory=list)
    recipients: list[dict[str, object]] = field(default_factory=list)
    # (donor, recipient) pairs with a donation on this convoy: one letter each
    donations: list[dict[str, object]] = field(default_factory=list)
    crew: list[dict[str, object]] = field(default_factory=list)
    issued: list[Shown] = field(default_factory=list)
    may_issue: bool = False
    # What the Ukrainian half would print untranslated: added before the papers are issued.
    untranslated: list[Untranslated] = field(default_factory=list)


def section(session: Session, principal: Principal, convoy: Convoy) -> Section | None:
    """What the board's Documents section offers this reader; None: nothing for them."""
    if not visibility.is_office(principal):
        return None
    facts = papers.convoy_facts(session, convoy)
    return Section(
        vehicles=[
            {
                "id": v["id"],
                "position": v["position"],
                "name": v["name"],
                # One CMR note per consignee: the vehicle's own recipient's, then the others'.
                "consignees": papers.consignees(v),
            }
            for v in facts["vehicles"]
        ],
        recipients=[r["recipient"] for r in facts["recipients"] if r["recipient"]["id"]],
        donations=_donations(facts),
        crew=[{"id": d["id"], "name": d["name"]} for d in facts["crew"]],
        issued=[
            Shown(d, service.changes_since_issue(session, d, facts))
            for d in service.issued(session, convoy)
        ],
        may_issue=may(principal.role, "issue_convoy_document"),
        untranslated=lacking_ukrainian(session, [convoy])[convoy.id or 0],
    )


def _donations(facts: papers.Facts) -> list[dict[str, object]]:
    pairs: dict[tuple[int, int], dict[str, object]] = {}
    for v in facts["vehicles"]:
        # The vehicle's donor gives it to its recipient; each line's donor gives it to the
        # line's own recipient, which may be another than the vehicle's.
        given = [(v["donor"]["id"], v["recipient"])] + [
            (line["donor_id"], line["recipient"]) for line in v["lines"]
        ]
        for donor_id, recipient in given:
            if donor_id is None or not recipient["id"]:
                continue
            name = facts["donors"][str(donor_id)]["name"]
            pairs.setdefault(
                (donor_id, recipient["id"]),
                {"donor_id": donor_id, "donor": name, "recipient": recipient},
            )
    return sorted(pairs.values(), key=lambda p: (str(p["donor"]), str(p["recipient"])))


@router.get("/convoys/{convoy_id}/papers", response_class=HTMLResponse)
def papers_page(
    request: Request, convoy_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    """The convoy's papers on a page of their own; the board loads its section when it is
    scrolled to (htmx), so the board itself stays as quick as it was."""
    require(principal, "issue_convoy_document")
    convoy = convoys.get(session, convoy_id)
    return render(
        request,
        "documents/papers.html",
        {"convoy": convoy, "papers": section(session, principal, convoy)},
        principal=principal,
        block="section",
    )


@router.get("/convoys/{convoy_id}/documents/{kind}")
def convoy_document(
    convoy_id: int,
    kind: str,
    session: SessionDep,
    principal: PagePrincipalDep,
    format: Annotated[str, Query()] = "pdf",
    vehicle_id: Annotated[RecordId | None, Query()] = None,
    destination_id: Annotated[RecordId | None, Query()] = None,
    donor_id: Annotated[RecordId | None, Query()] = None,
    driver_id: Annotated[RecordId | None, Query()] = None,
    language: Annotated[str, Query()] = "de-uk",
) -> Response:
    """A preview: the same paper as the API's, for the browser session."""
    require(principal, "get_convoy_document")
    visibility.require_convoy(session, principal, convoy_id)
    convoy = convoys.get(session, convoy_id)
    wanted = service.paper(kind, vehicle_id, destination_id, donor_id, driver_id)
    service.require_paper(session, principal, convoy, wanted)
    made = service.preview(session, convoy, wanted, format, language)
    return Response(
        made.content,
        media_type=made.media_type,
        headers={"content-disposition": content_disposition(made.filename, inline=True)},
    )


@router.post("/convoys/{convoy_id}/documents")
def issue(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    kind: Annotated[str, Form()] = "",
    vehicle_id: Annotated[RecordId | None, Form()] = None,
    destination_id: Annotated[RecordId | None, Form()] = None,
    donor_id: Annotated[RecordId | None, Form()] = None,
    driver_id: Annotated[RecordId | None, Form()] = None,
) -> Response:
    require(principal, "issue_convoy_document")
    convoy = convoys.get(session, convoy_id)
    wanted = service.paper(kind, vehicle_id, destination_id, donor_id, driver_id)
    service.issue(session, convoy, wanted, principal)
    return RedirectResponse(f"/convoys/{convoy_id}/papers", status_code=303)


@router.get("/issued-documents/{document_id}/file")
def issued_file(document_id: int, session: SessionDep, principal: PagePrincipalDep) -> Response:
    require(principal, "download_issued_document")
    document = service.get_issued(session, document_id)
    return Response(
        document.content,
        media_type=document.media_type,
        headers={
            "content-disposition": content_disposition(document.filename),
            "x-content-sha256": document.sha256,
        },
    )


# --- the donor report: on the donor's page, and behind a shared link ------------------------


@router.get("/donors/{donor_id}/report.{fmt}")
def donor_report_file(
    donor_id: int, fmt: str, session: SessionDep, principal: PagePrincipalDep
) -> Response:
    require(principal, "get_donor_report")
    donor = donors.get(session, donor_id)
    return _report_file(session, donor, fmt)


def _report_file(session: Session, donor: Donor, fmt: str) -> Response:
    name = f"donor-report-{donor.id}.{fmt}"
    named = {"content-disposition": content_disposition(name, inline=True)}
    if fmt == "csv":
        return Response(donor_report.csv(session, donor), media_type=service.CSV, headers=named)
    if fmt == "pdf":
        return Response(donor_report.pdf(session, donor), media_type=service.PDF, headers=named)
    return Response(status_code=404)


@router.post("/donors/{donor_id}/report-links", response_class=HTMLResponse)
def share_report(
    request: Request, donor_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    """A new link, shown once on the donor's page (only its hash is kept)."""
    require(principal, "share_donor_report")
    link, token = donor_report.share(session, donors.get(session, donor_id), principal)
    from app.donors.pages import DONORS  # the donor's page, with the new link on it

    shared = {"shared_url": donor_report.url(token), "shared_until": link.expires_at}
    return DONORS.record_page(request, session, principal, donor_id, extra=shared)


@router.post("/donor-report-links/{link_id}/revoke")
def revoke_report_link(link_id: int, session: SessionDep, principal: PagePrincipalDep) -> Response:
    require(principal, "revoke_donor_report_link")
    link = donor_report.revoke(session, link_id)
    return RedirectResponse(f"/donors/{link.donor_id}#report-heading", status_code=303)


@router.get("/reports/donors/{token}", response_class=HTMLResponse)
def shared_report(
    request: Request,
    token: str,
    session: SessionDep,
    format: Annotated[str | None, Query()] = None,
) -> Response:
    """What the donor opens without an account: their report, read-only, until the link is
    revoked or expires (then 404, as for a link that never was)."""
    donor, link = donor_report.donor_of(session, token)
    if format:
        response = _report_file(session, donor, format)
    else:
        response = render(
            request,
            "documents/donor_report.html",
            {"report": donor_report.facts(session, donor), "token": token, "link": link},
        )
    # Whoever holds the link sees it; a shared computer's browser or a proxy keeps nothing.
    response.headers["cache-control"] = "no-store"
    return response
