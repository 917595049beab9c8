from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from app.auth.deps import require_version
from app.core.database import SessionDep
from app.organisation import service
from app.organisation.models import Organisation
from app.organisation.schemas import OrganisationCreate, OrganisationRead, OrganisationUpdate

router = APIRouter(prefix="/organisation", tags=["organisation"])


def organisation_dep(request: Request, session: SessionDep) -> Organisation:
    organisation = service.the_one(session)
    require_version(request, organisation)
    return organisation


OrganisationDep = Annotated[Organisation, Depends(organisation_dep)]


@router.get("", operation_id="get_organisation")
def get_organisation(organisation: OrganisationDep) -> OrganisationRead:
    """The organisation that runs the convoys: the carrier on the consignment notes."""
    return OrganisationRead.model_validate(organisation)


@router.post("", status_code=status.HTTP_201_CREATED, operation_id="create_organisation")
def create_organisation(data: OrganisationCreate, session: SessionDep) -> OrganisationRead:
    """Set the organisation, once; afterwards it is changed."""
    return OrganisationRead.model_validate(service.create(session, data))


@router.patch("", operation_id="update_organisation")
def update_organisation(
    organisation: OrganisationDep, changes: OrganisationUpdate, session: SessionDep
) -> OrganisationRead:
    return OrganisationRead.model_validate(service.update(session, organisation, changes))
