"""The office's registers as pages: a list with search, a record with its history, a form to
create or edit it, for every domain that needs no more than that (donors, destinations, items,
drivers). A domain describes its register once (``Register``); the routes and the forms follow.

The forms come from the API's own schemas, so a field a page offers is a field the API takes,
validated by the same rules and saved by the same service. A refused field comes back beside
its input with what was typed; a refused rule (409) above the form. An edit form carries the
version it was loaded with: posted after someone else saved a change, it is refused (412, as
the API refuses a stale If-Match) and comes back with what is saved now beside what was typed.
"""

import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Union, get_args, get_origin

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from sqlmodel import Session
from starlette.datastructures import FormData

from app.attachments import service as attachments
from app.attachments.models import AttachmentKind
from app.audit import service as audit
from app.auth import visibility
from app.auth.deps import require_version
from app.auth.policy import may
from app.auth.service import Principal
from app.core import i18n
from app.core.database import SessionDep
from app.core.errors import DomainError, Forbidden, PreconditionFailed
from app.core.i18n import _, word
from app.core.models import Entity
from app.web import formatting, forms
from app.web.forms import SubmittedForm
from app.web.pages import PagePrincipalDep, require
from app.web.templating import render


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: str  # text, number, money, date, checkbox, select, multiselect, email
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)


def _plain(annotation: Any) -> Any:
    """``X | None`` → ``X``; Annotated types keep their origin."""
    if get_origin(annotation) in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return options[0] if len(options) == 1 else str
    return annotation


def _kind(annotation: Any) -> str:
    plain = _plain(annotation)
    if plain is bool:
        return "checkbox"
    if plain is int:
        return "number"
    if plain is date:
        return "date"
    if isinstance(plain, type) and issubclass(plain, Enum):
        return "select"
    if getattr(plain, "__name__", "") == "EmailStr" or "email" in str(plain).lower():
        return "email"
    return "text"


def fields_of(
    schema: type[BaseModel], labels: dict[str, str], choices: dict[str, list[tuple[str, str]]]
) -> list[FieldSpec]:
    """The inputs of a form for ``schema``: the fields that have a label, in the schema's order
    (lists and nested records are left to the domain's own page)."""
    specs = []
    for name, info in schema.model_fields.items():
        if name not in labels:
            continue
        specs.append(_spec(name, info, labels[name], choices))
    return specs


def _spec(
    name: str, info: FieldInfo, label: str, choices: dict[str, list[tuple[str, str]]]
) -> FieldSpec:
    kind = "select" if name in choices else _kind(info.annotation)
    if name.endswith("_cents"):
        kind = "money"  # typed and shown in euros, in the reader's way of writing numbers
    if kind == "select" and get_origin(_plain(info.annotation)) is list:
        kind = "multiselect"  # several records chosen at once (the items a certificate covers)
    options = choices.get(name, [])
    plain = _plain(info.annotation)
    if kind == "select" and not options and isinstance(plain, type) and issubclass(plain, Enum):
        # The enum's words in the reader's language; a record's own choices (donors, utilities)
        # are data, shown as they are.
        options = [(str(m.value), word(str(m.value))) for m in plain]
    return FieldSpec(name, label, kind, info.is_required(), options)


def typed_from(record: Any, specs: Sequence[FieldSpec]) -> dict[str, str]:
    """A stored record as its form shows it."""
    typed: dict[str, str] = {}
    for spec in specs:
        value = getattr(record, spec.name, None)
        if value is None:
            typed[spec.name] = ""
        elif spec.kind == "checkbox":
            typed[spec.name] = "on" if value else ""
        elif spec.kind == "money":
            typed[spec.name] = formatting.money_input(value, i18n.language())
        elif isinstance(value, Enum):
            typed[spec.name] = str(value.value)
        elif isinstance(value, list):
            typed[spec.name] = ",".join(str(v) for v in value)
        else:
            typed[spec.name] = str(value)
    return typed


# The hidden field of an edit form: the version of the record the form was loaded with.
VERSION_FIELD = "version"


def saved_beside(record: Any, specs: Sequence[FieldSpec], typed: dict[str, str]) -> dict[str, str]:
    """What is saved now, as the form would show it, for each field where it differs from
    what was typed: a stale form shows the other person's change beside the user's input."""
    stored = typed_from(record, specs)
    beside: dict[str, str] = {}
    for spec in specs:
        now = stored.get(spec.name, "").strip()
        if now == typed.get(spec.name, "").strip():
            continue
        labels = dict(spec.choices)
        if spec.kind == "checkbox":
            beside[spec.name] = _("yes") if now else _("no")
        elif spec.kind == "multiselect":
            beside[spec.name] = ", ".join(labels.get(v, v) for v in now.split(",") if v)
        elif spec.kind == "select":
            beside[spec.name] = _(labels[now]) if now in labels else now
        else:
            beside[spec.name] = now
    return beside


def values_from(typed: dict[str, str], specs: Sequence[FieldSpec]) -> dict[str, Any]:
    """What a form sent, as the schema takes it: an empty input is no value."""
    values: dict[str, Any] = {}
    for spec in specs:
        raw = typed.get(spec.name, "").strip()
        if spec.kind == "checkbox":
            values[spec.name] = bool(raw)
        elif spec.kind == "multiselect":
            values[spec.name] = [part for part in raw.split(",") if part] or None
        elif spec.kind == "money":
            values[spec.name] = forms.cents(spec.name, raw)
        elif raw:
            values[spec.name] = raw
        else:
            values[spec.name] = None
    return values


@dataclass
class Register:
    """One kind of record as pages: its paths, its words, its schemas and service calls."""

    path: str  # "donors"
    entity: str  # the audit trail's table name, "donor"
    title: str  # "Donors" (translated at rendering)
    singular: str  # "Donor"
    operations: dict[str, str]  # list, get, create, update -> API operation id
    create_schema: type[BaseModel]
    update_schema: type[BaseModel]
    labels: dict[str, str]
    columns: list[tuple[str, str]]  # (attribute, label) shown in the list
    get: Callable[[Session, int], Entity]
    create: Callable[[Session, Any], Entity]
    update: Callable[[Session, Any, Any], Entity]
    # (session, who asks, q, cursor, the list page's other query parameters)
    #   -> (the rows they may see, next cursor)
    search: Callable[
        [Session, Principal, str | None, str | None, dict[str, str]],
        tuple[Sequence[Any], str | None],
    ]
    choices: Callable[[Session], dict[str, list[tuple[str, str]]]] = lambda _s: {}
    details: Callable[[Session, Any], dict[str, Any]] = lambda _s, _r: {}
    detail_template: str = "registers/record.html"
    list_template: str = "registers/register.html"
    list_context: Callable[[Session], dict[str, Any]] = lambda _s: {}
    search_hint: str = ""
    # A register the receiving utility keeps too (its needs): the policy table decides, and
    # ``guard`` keeps each record to those who may see it (404 otherwise, as the API).
    open_to_recipients: bool = False
    guard: Callable[[Principal, Any], None] = lambda _p, _r: None
    # Fields fixed by who is asking (a recipient's own destination): not offered on the form,
    # always sent as these values.
    fixed: Callable[[Principal], dict[str, str]] = lambda _p: {}

    def admit(self, principal: Principal, operation: str) -> None:
        """The API's policy table; the office's registers are the office's alone (drivers and
        recipients have their own pages, which show them their own records only)."""
        require(principal, operation)
        if not self.open_to_recipients and not visibility.is_office(principal):
            raise Forbidden(
                _("a {role} may not open the office's registers").format(role=word(principal.role))
            )

    def fetch(self, session: Session, principal: Principal, record_id: int) -> Any:
        record = self.get(session, record_id)
        self.guard(principal, record)
        return record

    def form_specs(
        self, session: Session, principal: Principal, schema: type[BaseModel]
    ) -> list[FieldSpec]:
        """The inputs of a create (``schema`` the create schema) or an edit (the fields the
        create takes that the update schema can change), without the fixed ones."""
        fixed = self.fixed(principal)
        specs = self.specs(session, self.create_schema)
        if schema is not self.create_schema:
            specs = [s for s in specs if s.name in schema.model_fields]
        return [s for s in specs if s.name not in fixed]

    def specs(self, session: Session, schema: type[BaseModel]) -> list[FieldSpec]:
        return fields_of(schema, self.labels, self.choices(session))

    # --- pages ---------------------------------------------------------------------------

    def list_page(
        self,
        request: Request,
        session: Session,
        principal: Principal,
        q: str | None,
        cursor: str | None,
    ) -> HTMLResponse:
        self.admit(principal, self.operations["list"])
        filters = {k: v for k, v in request.query_params.items() if k not in ("q", "cursor") and v}
        rows, next_cursor = self.search(session, principal, q, cursor, filters)
        return render(
            request,
            self.list_template,
            {
                "register": self,
                "rows": rows,
                "q": q or "",
                "next_cursor": next_cursor,
                "may_create": may(principal.role, self.operations["create"]),
                "filters": filters,
                **self.list_context(session),
            },
            principal=principal,
            block="rows",
        )

    def record_page(
        self,
        request: Request,
        session: Session,
        principal: Principal,
        record_id: int,
        *,
        problems: forms.FieldErrors | None = None,
        status_code: int = 200,
        extra: dict[str, Any] | None = None,
    ) -> HTMLResponse:
        self.admit(principal, self.operations["get"])
        record = self.fetch(session, principal, record_id)
        history, _ = audit.history(session, self.entity, str(record_id), limit=50)
        specs = self.specs(session, self.create_schema)
        return render(
            request,
            self.detail_template,
            {
                "register": self,
                "record": record,
                "shown": typed_from(record, specs),
                "specs": specs,
                "history": audit.shown_all(history),
                "may_edit": may(principal.role, self.operations["update"]),
                "problems": problems or {},
                **_attachments(session, self.entity, record_id),
                **self.details(session, record),
                **(extra or {}),
            },
            principal=principal,
            status_code=status_code,
        )

    def form_page(
        self,
        request: Request,
        session: Session,
        principal: Principal,
        *,
        record: Any | None,
        typed: dict[str, str],
        errors: forms.FieldErrors,
        status_code: int = 200,
        stale: bool = False,
    ) -> HTMLResponse:
        """The form; ``stale``: the user's input against the record as it is saved now."""
        schema = self.create_schema if record is None else self.update_schema
        specs = self.form_specs(session, principal, schema)
        return render(
            request,
            "registers/record_form.html",
            {
                "register": self,
                "record": record,
                "specs": specs,
                "typed": typed,
                "errors": errors,
                "stale": stale,
                "saved_now": saved_beside(record, specs, typed) if stale else {},
            },
            principal=principal,
            status_code=status_code,
        )

    def save(
        self,
        request: Request,
        session: Session,
        principal: Principal,
        typed: dict[str, str],
        record_id: int | None,
    ) -> Response:
        """Create or change the record through the service; refused, the form comes back."""
        operation = self.operations["create" if record_id is None else "update"]
        self.admit(principal, operation)
        record = None if record_id is None else self.fetch(session, principal, record_id)
        fixed = self.fixed(principal)
        try:
            if record is None:
                specs = self.form_specs(session, principal, self.create_schema)
                values = {k: v for k, v in values_from(typed, specs).items() if v is not None}
                saved = self.create(session, self.create_schema.model_validate({**values, **fixed}))
            else:
                require_version(request, record, typed.get(VERSION_FIELD) or None)
                specs = self.form_specs(session, principal, self.update_schema)
                before = typed_from(record, specs)
                # A field the form did not send is left as it is (a checkbox left empty is
                # sent as nothing, so it counts as unticked).
                sent = {s.name for s in specs if s.name in typed or s.kind == "checkbox"}
                changed = {
                    k: v
                    for k, v in values_from(typed, specs).items()
                    if k in sent and typed.get(k, "").strip() != before.get(k, "").strip()
                }
                saved = self.update(session, record, self.update_schema.model_validate(changed))
            session.flush()
        except PreconditionFailed:
            # Someone saved this record after the form was loaded: nothing is overwritten; the
            # form comes back with the user's input, what is saved now beside it, and the
            # current version, so saving again is a decision made on what is there.
            session.rollback()
            return self.form_page(
                request,
                session,
                principal,
                record=self.get(session, record_id or 0),
                typed=typed,
                errors={},
                status_code=PreconditionFailed.status_code,
                stale=True,
            )
        except (ValidationError, DomainError) as exc:
            errors = forms.field_errors(exc)
            if not errors:
                raise
            session.rollback()
            record = None if record_id is None else self.get(session, record_id)
            status_code = exc.status_code if isinstance(exc, DomainError) else 422
            return self.form_page(
                request,
                session,
                principal,
                record=record,
                typed=typed,
                errors=errors,
                status_code=status_code,
            )
        back = forms.back_or(typed.get("back"), f"/{self.path}/{saved.id}")
        return RedirectResponse(back, status_code=303)


def _typed(form: FormData) -> dict[str, str]:
    """What the form sent; a field sent several times (a multiple select) as "a,b,c"."""
    typed: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key != "csrf_token":
            typed.setdefault(key, []).append(str(value))
    return {k: ",".join(v) for k, v in typed.items()}


def _attachments(session: Session, entity: str, record_id: int) -> dict[str, Any]:
    if entity not in attachments.RECORDS:
        return {"attachable": None}
    return {
        "attachable": entity,
        "attachments": attachments.of(session, entity, record_id),
        "attachment_kinds": [k.value for k in AttachmentKind],
    }


def routes(register: Register) -> APIRouter:
    """The six pages of a register: list, new, create, record, edit, save."""
    router = APIRouter(include_in_schema=False)
    base = f"/{register.path}"

    @router.get(base, response_class=HTMLResponse, name=f"{register.path}_list")
    def listing(
        request: Request,
        session: SessionDep,
        principal: PagePrincipalDep,
        q: str | None = None,
        cursor: str | None = None,
    ) -> HTMLResponse:
        return register.list_page(request, session, principal, q, cursor)

    @router.get(f"{base}/new", response_class=HTMLResponse, name=f"{register.path}_new")
    def new(request: Request, session: SessionDep, principal: PagePrincipalDep) -> HTMLResponse:
        register.admit(principal, register.operations["create"])
        # A link may start the form filled in ("/export-records/new?item_id=7").
        typed = {k: v for k, v in request.query_params.items() if k in register.labels}
        return register.form_page(request, session, principal, record=None, typed=typed, errors={})

    @router.post(f"{base}/new", response_model=None, name=f"{register.path}_create")
    def create(
        request: Request, form: SubmittedForm, session: SessionDep, principal: PagePrincipalDep
    ) -> Response:
        return register.save(request, session, principal, _typed(form), None)

    @router.get(f"{base}/{{record_id}}", response_class=HTMLResponse, name=f"{register.path}_get")
    def record(
        request: Request, record_id: int, session: SessionDep, principal: PagePrincipalDep
    ) -> HTMLResponse:
        return register.record_page(request, session, principal, record_id)

    @router.get(
        f"{base}/{{record_id}}/edit", response_class=HTMLResponse, name=f"{register.path}_edit"
    )
    def edit(
        request: Request, record_id: int, session: SessionDep, principal: PagePrincipalDep
    ) -> HTMLResponse:
        register.admit(principal, register.operations["update"])
        stored = register.fetch(session, principal, record_id)
        specs = register.specs(session, register.create_schema)
        return register.form_page(
            request, session, principal, record=stored, typed=typed_from(stored, specs), errors={}
        )

    @router.post(f"{base}/{{record_id}}/edit", response_model=None, name=f"{register.path}_save")
    def save(
        request: Request,
        record_id: int,
        form: SubmittedForm,
        session: SessionDep,
        principal: PagePrincipalDep,
    ) -> Response:
        return register.save(request, session, principal, _typed(form), record_id)

    return router
