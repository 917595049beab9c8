"""The frame every page shares: who is logged in, where "/" leads, how refusals look.

A page asks for ``PagePrincipalDep``: the session's user, or a redirect to the login page.
Pages pass the same policy table as the API (``may``) and the same row-level views.
"""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.auth.deps import form_csrf_token, web_principal
from app.auth.policy import may
from app.auth.roles import Role
from app.auth.service import Principal
from app.core import i18n as core_i18n
from app.core.database import SessionDep
from app.core.errors import DomainError, Forbidden, InvalidInput, NotAuthenticated
from app.web import i18n
from app.web.templating import language_of, render

API_PREFIX = "/api/"


def wants_json(request: Request) -> bool:
    """A page's script asking for an answer it can read (the phone's queued reports), not a
    browser navigating: it must hear "sign in" as 401, never follow a redirect to /login."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


class LoginRequired(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


async def speaking_principal(request: Request, session: SessionDep) -> Principal:
    """The logged-in user (or a redirect to the login page), and from here on the page and
    the rules speak their language.

    Async on purpose: it runs in the request's own context, so the language it sets is the
    one the route (and every rule it calls) sees; the sign-in's read runs in the threadpool.
    One dependency, not three: FastAPI's work for each is paid on every page."""
    form_token = await form_csrf_token(request)
    try:
        principal = await run_in_threadpool(web_principal, request, session, form_token)
    except NotAuthenticated as exc:
        raise LoginRequired(request.url.path) from exc
    core_i18n.speak(language_of(request, principal))
    return principal


PagePrincipalDep = Annotated[Principal, Depends(speaking_principal)]


def require(principal: Principal, operation: str) -> None:
    """The API's policy table, for a page that shows or does what ``operation`` does."""
    if not may(principal.role, operation):
        raise Forbidden(f"a {principal.role.value} may not open this page")


def home_of(role: Role) -> str:
    if role == Role.driver:
        return "/my-convoy"
    if role == Role.recipient:
        return "/deliveries"
    if role == Role.treasurer:
        return "/programmes"
    if role == Role.volunteer:
        return "/collection"  # on to the phone page of their own hall
    return "/desk"


def install(app: FastAPI) -> None:
    api_errors = app.exception_handlers.get(DomainError)
    api_invalid = app.exception_handlers.get(RequestValidationError)

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        target = f"/login?next={quote(exc.path)}"
        if wants_json(request):
            return JSONResponse(
                {"detail": "log in first", "code": "not_authenticated", "login": target},
                status_code=401,
            )
        if request.headers.get("hx-request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    async def domain_error(request: Request, exc: Exception) -> Response:
        """The API answers in JSON; a page answers with a page in the reader's language."""
        assert isinstance(exc, DomainError)
        if request.url.path.startswith(API_PREFIX) and api_errors is not None:
            response: Response = await api_errors(request, exc)  # type: ignore[misc]
            return response
        if wants_json(request):
            return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)
        if isinstance(exc, NotAuthenticated):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        _ = i18n.translations(language_of(request, None)).gettext
        titles = {403: _("Not allowed"), 404: _("Not found"), 409: _("Not possible now")}
        page = render(
            request,
            "web/error.html",
            {"title": titles.get(exc.status_code, _("Something is wrong")), "message": exc.message},
            status_code=exc.status_code,
        )
        page.headers.update(exc.headers or {})  # e.g. Retry-After on too many logins
        return page

    async def invalid_request(request: Request, exc: Exception) -> Response:
        """A page's parameters or form the page itself cannot read (an id beyond any record,
        text no database stores): a page naming each field, like a refusal of the rules."""
        assert isinstance(exc, RequestValidationError)
        if request.url.path.startswith(API_PREFIX) and api_invalid is not None:
            response: Response = await api_invalid(request, exc)  # type: ignore[misc]
            return response
        problems = [
            (".".join(str(part) for part in error["loc"][1:]), core_i18n.pydantic_message(error))
            for error in exc.errors()
        ]
        return await domain_error(request, InvalidInput(problems))

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, invalid_request)


router = APIRouter(include_in_schema=False)


@router.get("/")
def start(principal: PagePrincipalDep) -> RedirectResponse:
    """Each kind of user starts on their own page."""
    return RedirectResponse(home_of(principal.role), status_code=303)
