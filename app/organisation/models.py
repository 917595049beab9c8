from sqlmodel import Field

from app.core.models import Entity


class Organisation(Entity, table=True):
    """The association or company that runs the convoys: the carrier on every consignment
    note (CMR Art. 6(1)(c)). One row, set once by an admin."""

    name: str = Field(max_length=200)
    legal_form: str = Field(max_length=100)  # "eingetragener Verein (e.V.)"
    street: str = Field(max_length=200)
    postal_code: str = Field(max_length=20)
    city: str = Field(max_length=100)
    country: str = Field(default="DE", max_length=2)
    register_court: str | None = Field(default=None, max_length=100)  # "Amtsgericht Wuppertal"
    register_number: str | None = Field(default=None, max_length=50)  # "VR 31245"
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=50)
    contact_email: str | None = Field(default=None, max_length=200)
