"""The organisation that runs the convoys: one record, the carrier on every consignment note."""

from sqlmodel import Session, col, select

from app.core.errors import Conflict, NotFound
from app.core.i18n import N_, _
from app.core.service import apply_changes, get_or_404
from app.organisation.models import Organisation
from app.organisation.schemas import OrganisationCreate, OrganisationUpdate


def current(session: Session) -> Organisation | None:
    """The organisation, or None before an admin has set it."""
    return session.exec(select(Organisation).order_by(col(Organisation.id))).first()


def the_one(session: Session) -> Organisation:
    found = current(session)
    if found is None:
        raise NotFound(N_("Organisation"), _("(not set yet)"))
    return found


def get(session: Session, organisation_id: int) -> Organisation:
    return get_or_404(session, Organisation, organisation_id, N_("Organisation"))


def create(session: Session, data: OrganisationCreate) -> Organisation:
    # One carrier for every paper: a second record would leave the papers to pick one.
    if current(session) is not None:
        raise Conflict(_("the organisation is set once; change the one that is set"))
    organisation = Organisation.model_validate(data)
    session.add(organisation)
    session.flush()
    return organisation


def update(
    session: Session, organisation: Organisation, changes: OrganisationUpdate
) -> Organisation:
    apply_changes(organisation, changes)
    session.flush()
    return organisation
