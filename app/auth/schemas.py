from datetime import datetime

from pydantic import ConfigDict, Field, field_validator, model_validator

from app.auth.roles import Role
from app.auth.security import password_problem
from app.core.i18n import _
from app.core.schemas import Schema
from app.core.types import RecordId


def _check_password(value: str | None) -> str | None:
    if value is not None and (problem := password_problem(value)):
        raise ValueError(_("password {problem}").format(problem=problem))
    return value


class UserCreate(Schema):
    username: str = Field(min_length=3, max_length=100, pattern=r"^[a-z0-9._@-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(max_length=200)
    driver_id: RecordId | None = None
    destination_id: RecordId | None = None
    collection_point_id: RecordId | None = None

    _password = field_validator("password")(_check_password)

    @model_validator(mode="after")
    def _links(self) -> "UserCreate":
        if self.role == Role.driver and self.driver_id is None:
            raise ValueError(_("a driver account is linked to a driver record: set driver_id"))
        if self.role == Role.recipient and self.destination_id is None:
            raise ValueError(
                _("a recipient account is linked to a destination: set destination_id")
            )
        if self.role != Role.driver and self.driver_id is not None:
            raise ValueError(_("driver_id is only for driver accounts"))
        if self.role != Role.recipient and self.destination_id is not None:
            raise ValueError(_("destination_id is only for recipient accounts"))
        if self.role == Role.volunteer and self.collection_point_id is None:
            raise ValueError(
                _("a volunteer account is linked to a collection point: set collection_point_id")
            )
        if self.role != Role.volunteer and self.collection_point_id is not None:
            raise ValueError(_("collection_point_id is only for volunteer accounts"))
        return self


class UserUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    password: str | None = Field(default=None, max_length=200)
    is_active: bool | None = None

    _password = field_validator("password")(_check_password)


class UserRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    username: str
    full_name: str
    role: Role
    driver_id: RecordId | None
    destination_id: RecordId | None
    collection_point_id: RecordId | None
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime


class TokenRead(Schema):
    access_token: str
    token_type: str = "bearer"  # noqa: S105  (the OAuth2 token type, not a secret)
    expires_at: datetime
