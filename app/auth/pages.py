"""Logging in and out of the pages with a browser session (cookie + CSRF token)."""

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from app.auth import service
from app.auth.deps import SESSION_COOKIE, keep_device, login_attempt, require_own_site
from app.core.database import SessionDep
from app.core.types import utcnow
from app.web.i18n import LANGUAGES
from app.web.pages import PagePrincipalDep
from app.web.templating import render

router = APIRouter(include_in_schema=False)
LANGUAGE_COOKIE = "konvoi_language"


def _local(target: str | None) -> str:
    """Only a path on this site: a login link must not send anyone elsewhere."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(
        request, "web/login.html", {"message": None, "next": _local(next), "username": ""}
    )


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    # There is no session to bind a token to yet: a login another site posts (to sign the
    # victim in as the attacker) is told apart by its Origin, as every form is.
    require_own_site(request)
    attempt = login_attempt(request)
    user = service.authenticate(session, username, password, attempt)
    if user is None:
        from app.web.i18n import translations
        from app.web.templating import language_of

        _ = translations(language_of(request, None)).gettext
        return render(
            request,
            "web/login.html",
            {
                "message": _("Wrong username or password."),
                "next": _local(next),
                "username": username,
            },
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    device = service.remember_device(session, user, attempt)
    secret, web = service.open_session(session, user)
    response = RedirectResponse(_local(next), status_code=status.HTTP_303_SEE_OTHER)
    keep_device(request, response, device)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=round((web.expires_at - utcnow()).total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, _: PagePrincipalDep) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        service.close_session(session, secret)
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
def choose_language(
    request: Request,
    session: SessionDep,
    principal: PagePrincipalDep,
    language: Annotated[str, Form()],
) -> Response:
    """Keep the chosen language with the account (and in a cookie for the login page)."""
    if language not in LANGUAGES:
        language = "de"
    service.set_locale(session, principal.user_id, language)
    back = _local(urlparse(request.headers.get("referer", "/")).path)
    response = RedirectResponse(back, status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response
