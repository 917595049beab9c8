"""Domain errors, each mapped once to an HTTP status.

Services raise these; routes never build HTTP errors themselves.
"""

import logging
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from app.core import i18n, text
from app.core.i18n import _
from app.core.schemas import Schema

log = logging.getLogger("konvoi")
# Retry-After for a 503 while the database is away: a restart takes a few seconds.
DATABASE_RETRY_SECONDS = 5

# The records a reason is about; they sit beside code and message in every refusal and
# readiness finding, so clients read one shape.
ABOUT = ("item_id", "driver_id", "leg_id", "convoy_id", "assignment_id")


@dataclass
class Reason:
    """One unmet condition, in words a coordinator understands."""

    code: str
    message: str
    field: str | None = None
    context: dict[str, Any] = dataclass_field(default_factory=dict)
    item_id: int | None = None
    driver_id: int | None = None
    leg_id: int | None = None
    convoy_id: int | None = None
    assignment_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        body = ReasonBody.model_validate(self, from_attributes=True).model_dump(exclude_none=True)
        if not body.get("context"):
            body.pop("context", None)
        return body


class ReasonBody(Schema):
    """One unmet condition: a stable code, a sentence for people, and what it is about.

    The same shape is used for the reasons of a 409 and for the blockers and warnings of a
    readiness check.
    """

    answer_only = True  # a readiness check builds hundreds of these from its own sentences

    code: str = Field(examples=["vehicle_without_driver"])
    message: str
    field: str | None = Field(default=None, description="The request field that caused it")
    item_id: int | None = None
    driver_id: int | None = None
    leg_id: int | None = None
    convoy_id: int | None = None
    assignment_id: int | None = None
    context: dict[str, Any] | None = Field(
        default=None, description="Further facts, e.g. dates and counts"
    )


class DomainError(Exception):
    status_code = 400
    code = "error"
    headers: dict[str, str] | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"

    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(
            i18n._("{entity} {id} does not exist").format(entity=i18n._(entity), id=entity_id)
        )


class Conflict(DomainError):
    """The request clashes with stored data (a duplicate VIN, a record still referenced)."""

    status_code = 409
    code = "conflict"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def body(self) -> dict[str, Any]:
        body = super().body()
        if self.field:
            body["field"] = self.field
        return body


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class StaleForm(Forbidden):
    """A form whose CSRF token is not the session's (sent from an older sign-in): the same
    request with the current token would pass, so a phone keeps a queued report."""

    code = "stale_form"


class PreconditionFailed(DomainError):
    """The client edited a stale version (If-Match did not match): reload, then retry."""

    status_code = 412
    code = "stale_version"


class TooLarge(DomainError):
    """A file over the size limit."""

    status_code = 413
    code = "too_large"


class TooManyAttempts(DomainError):
    status_code = 429
    code = "too_many_login_attempts"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after_seconds)}


class RuleViolation(DomainError):
    """A transition is blocked; carries every unmet condition, not just the first."""

    status_code = 409
    code = "rule_violation"

    def __init__(self, message: str, reasons: list[Reason]) -> None:
        super().__init__(message)
        self.reasons = reasons

    def body(self) -> dict[str, Any]:
        return {**super().body(), "reasons": [r.as_dict() for r in self.reasons]}


class InvalidInput(DomainError):
    """Input that is well-formed alone but wrong in combination with stored data.

    Rendered like FastAPI's own validation errors so clients parse one format for 422.
    """

    status_code = 422
    code = "invalid_input"

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{i18n.field_name(f)}: {m}" for f, m in errors))
        self.errors = errors

    def body(self) -> dict[str, Any]:
        return {
            "detail": [
                {"loc": ["body", *f.split(".")], "msg": m, "type": "value_error"}
                for f, m in self.errors
            ]
        }


def install_handlers(app: FastAPI) -> None:
    async def handle(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)

    app.add_exception_handler(DomainError, handle)

    async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        # FastAPI's own answer, with what it echoes made encodable: a lone surrogate in the
        # input would otherwise fail the answer itself (a 500 for a 422).
        assert isinstance(exc, RequestValidationError)
        errors = jsonable_encoder(text.echoable(exc.errors()))
        return JSONResponse({"detail": errors}, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid_request)

    async def refused_by_http(request: Request, exc: Exception) -> Response:
        # The framework's own refusals (a body that is not JSON or not UTF-8: 400) answer in
        # the API's shape, with a code; the pages keep FastAPI's answer.
        assert isinstance(exc, HTTPException)
        if not request.url.path.startswith("/api/"):
            return await http_exception_handler(request, exc)
        codes = {400: "unreadable_body", 404: "not_found", 405: "method_not_allowed"}
        return JSONResponse(
            {"detail": exc.detail, "code": codes.get(exc.status_code, "error")},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    app.add_exception_handler(HTTPException, refused_by_http)

    async def database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
        # The database is down, restarting or unreachable: say so at once; the pool opens
        # new connections by itself once it is back.
        log.warning("database unavailable: %s", type(exc.__cause__ or exc).__name__)
        return JSONResponse(
            {
                "detail": _("the database is not answering; try again in a few seconds"),
                "code": "database_unavailable",
            },
            status_code=503,
            headers={"Retry-After": str(DATABASE_RETRY_SECONDS)},
        )

    app.add_exception_handler(OperationalError, database_unavailable)
