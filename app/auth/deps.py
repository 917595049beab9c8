"""Authentication and authorization dependencies.

The JSON API authenticates with bearer tokens only; the HTML pages use the session cookie
and a CSRF token. Both set the actor that the audit trail records.
"""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import object_session
from sqlmodel import Session

from app.auth import service
from app.auth.policy import POLICY
from app.auth.roles import Role
from app.auth.security import same
from app.auth.service import Principal
from app.core import observability
from app.core.config import get_settings
from app.core.context import Actor, current_actor
from app.core.database import SessionDep
from app.core.errors import Forbidden, NotAuthenticated, PreconditionFailed, StaleForm
from app.core.i18n import _, word
from app.core.models import Entity

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

SESSION_COOKIE = "konvoi_session"
# A device that has logged in to an account before is throttled only by its own failures.
DEVICE_COOKIE = "konvoi_device"
DEVICE_COOKIE_SECONDS = 365 * 24 * 3600
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def login_attempt(request: Request) -> service.Attempt:
    device = request.cookies.get(DEVICE_COOKIE)
    return service.Attempt(
        address=request.client.host if request.client else "unknown",
        device=device if device and len(device) <= 64 else None,
    )


def keep_device(request: Request, response: Response, device: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=DEVICE_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def _operation(request: Request) -> str | None:
    route = request.scope.get("route")
    return getattr(route, "operation_id", None) or getattr(route, "name", None)


def _act_as(request: Request, session: SessionDep, signed_in: service.SignedIn) -> None:
    session.info["signed_in"] = signed_in
    principal = signed_in.principal
    actor = Actor(
        principal.user_id,
        principal.username,
        principal.role,
        _operation(request),
        principal.full_name,
    )
    # The audit listener reads the actor from the session; the context var serves logging.
    session.info["actor"] = actor
    current_actor.set(actor)
    observability.identify(principal.username)


def signed_in(session: Session) -> service.SignedIn:
    """Who this request was signed in as, read with its token or session cookie."""
    found = session.info["signed_in"]
    assert isinstance(found, service.SignedIn)
    return found


def api_principal(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2)]
) -> Principal:
    if not token:
        raise NotAuthenticated(_("log in first: send 'Authorization: Bearer <token>'"))
    found = service.signed_in_by_token(session, token)
    if found is None:
        raise NotAuthenticated(_("the token is unknown or has expired; log in again"))
    _act_as(request, session, found)
    return found.principal


async def authorize(
    request: Request, principal: Annotated[Principal, Depends(api_principal)]
) -> Principal:
    """Apply the policy table to the operation this request is for."""
    operation = _operation(request)
    allowed = POLICY.get(operation or "")
    if allowed is None or principal.role not in allowed:
        raise Forbidden(
            _("a {role} may not {operation}").format(
                role=word(principal.role), operation=(operation or "do this").replace("_", " ")
            )
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(authorize)]


def require_version(request: Request, entity: Entity, version: str | None = None) -> None:
    """Refuse a change made against a stale copy (If-Match carries the version read; a page's
    form carries it as ``version``, the hidden field it was loaded with)."""
    if request.method not in UNSAFE_METHODS:
        return
    # Lock the row before anything reads it, with or without If-Match: two edits of the same
    # version cannot both pass, and two blind edits each raise the version (the second waits
    # for the first to commit, then reads the new version) so no two states share one ETag.
    session = object_session(entity)
    if session is not None:
        session.refresh(entity, with_for_update=True)
    header = request.headers.get("if-match") if version is None else version
    if header is None or header.strip() == "*":
        return
    versions = {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")}
    if str(entity.version) not in versions:
        raise PreconditionFailed(
            _(
                "this record has changed since you read it (now version "
                "{version}); reload it and apply your change again"
            ).format(version=entity.version)
        )


async def form_csrf_token(request: Request) -> str | None:
    """The CSRF token of a plain HTML form post (htmx sends the header instead)."""
    content_type = request.headers.get("content-type", "")
    if request.method not in UNSAFE_METHODS or not content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        return None
    value = (await request.form()).get(CSRF_FIELD)  # Starlette caches the parsed form
    return value if isinstance(value, str) else None


DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, parts.netloc.lower().removesuffix(DEFAULT_PORTS.get(scheme, "-"))


def _foreign_form() -> Forbidden:
    # Not StaleForm: the same request sent again would be refused again.
    return Forbidden(_("the form has expired or did not come from Konvoi; reload the page"))


def require_own_site(request: Request) -> None:
    """Refuse a form another site made the browser send (login CSRF included).

    Browsers name the page a POST comes from in Origin (older ones only in Sec-Fetch-Site);
    it must be Konvoi itself: the address the request was sent to or the configured public
    one. A client that names neither (a script, curl) is not a browser another site steers.
    """
    origin = request.headers.get("origin")
    if origin is not None:
        own = {_origin(str(request.base_url)), _origin(get_settings().site_url)}
        # "null": a sandboxed frame, a data: page or a redirect from another site
        if origin == "null" or _origin(origin) not in own:
            raise _foreign_form()
        return
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        raise _foreign_form()


def web_principal(request: Request, session: Session, form_token: str | None) -> Principal:
    """The user behind the session cookie; unsafe requests must carry the CSRF token (in the
    header htmx sends, or the form's field: ``form_token``). Every page signs in through
    this, by ``app.web.pages.PagePrincipalDep``."""
    secret = request.cookies.get(SESSION_COOKIE)
    found = service.signed_in_by_session(session, secret) if secret else None
    if found is None:
        raise NotAuthenticated(_("log in first"))
    assert found.csrf_token is not None
    if request.method in UNSAFE_METHODS:
        require_own_site(request)
        sent = request.headers.get(CSRF_HEADER) or form_token
        if not sent or not same(sent, found.csrf_token):
            raise StaleForm(_("the form has expired or did not come from Konvoi; reload the page"))
    request.state.csrf_token = found.csrf_token
    _act_as(request, session, found)
    return found.principal


def is_office(principal: Principal) -> bool:
    return principal.role in {Role.admin, Role.coordinator, Role.clerk}
