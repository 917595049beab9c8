from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.deps import (
    CSRF_FIELD,
    SESSION_COOKIE,
    PrincipalDep,
    WebPrincipalDep,
    oauth2,
    require_version,
)
from app.auth.models import User
from app.auth.schemas import TokenRead, UserCreate, UserRead, UserUpdate
from app.core.config import get_settings
from app.core.database import SessionDep

# Public: logging in. Everything else sits behind the policy table.
login_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(tags=["auth"])
web_router = APIRouter(include_in_schema=False)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@login_router.post(
    "/token",
    operation_id="issue_token",
    response_model=TokenRead,
    responses={
        401: {"description": "Wrong username or password"},
        429: {"description": "Too many failed logins"},
    },
)
def issue_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
) -> TokenRead | JSONResponse:
    """OAuth2 password flow: a bearer token for the JSON API."""
    user = service.authenticate(session, form.username, form.password, _address(request))
    if user is None:
        # Returned, not raised: the recorded failure must be committed for the rate limit.
        return JSONResponse(
            {"detail": "wrong username or password", "code": "login_failed"},
            status_code=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Bearer"},
        )
    secret, token = service.issue_token(session, user)
    return TokenRead(access_token=secret, expires_at=token.expires_at)


@router.get("/auth/me", operation_id="whoami")
def whoami(principal: PrincipalDep, session: SessionDep) -> UserRead:
    return UserRead.model_validate(service.get(session, principal.user_id))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, operation_id="revoke_token")
def revoke_token(
    principal: PrincipalDep, session: SessionDep, token: Annotated[str | None, Depends(oauth2)]
) -> Response:
    if token:
        service.revoke_token(session, token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def user_dep(user_id: int, request: Request, session: SessionDep, _: PrincipalDep) -> User:
    user = service.get(session, user_id)
    require_version(request, user)
    return user


UserDep = Annotated[User, Depends(user_dep)]


@router.get("/users", operation_id="list_users")
def list_users(session: SessionDep, _: PrincipalDep) -> list[UserRead]:
    return [UserRead.model_validate(u) for u in service.list_users(session)]


@router.post("/users", status_code=status.HTTP_201_CREATED, operation_id="create_user")
def create_user(data: UserCreate, session: SessionDep, _: PrincipalDep) -> UserRead:
    return UserRead.model_validate(service.create_user(session, data))


@router.get("/users/{user_id}", operation_id="get_user")
def get_user(user: UserDep) -> UserRead:
    return UserRead.model_validate(user)


@router.patch("/users/{user_id}", operation_id="update_user")
def update_user(user: UserDep, changes: UserUpdate, session: SessionDep) -> UserRead:
    return UserRead.model_validate(service.update_user(session, user, changes))


# --- browser session (used by the HTML pages) -------------------------------------------------

_LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Konvoi: log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Konvoi</h1>{message}
<form method="post" action="/login">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required>
</label><button type="submit">Log in</button></form></main></body></html>"""


@web_router.get("/login", response_class=HTMLResponse)
def login_page() -> HTMLResponse:
    return HTMLResponse(_LOGIN_PAGE.format(message=""))


@web_router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    user = service.authenticate(session, username, password, _address(request))
    if user is None:
        return HTMLResponse(
            _LOGIN_PAGE.format(message="<p role='alert'>Wrong username or password.</p>"),
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    secret, _ = service.open_session(session, user)
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=get_settings().session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@web_router.post("/logout")
def logout(request: Request, session: SessionDep, _: WebPrincipalDep) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        service.close_session(session, secret)
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@web_router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: WebPrincipalDep) -> HTMLResponse:
    token = escape(request.state.csrf_token)
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Konvoi</title>"
        f"<meta name='csrf-token' content='{token}'></head><body><main>"
        f"<p>Logged in as {escape(principal.username)} ({principal.role.value}).</p>"
        f"<form method='post' action='/logout'><input type='hidden' name='{CSRF_FIELD}' "
        f"value='{token}'><button>Log out</button></form>"
        "<p><a href='/docs'>API documentation</a></p></main></body></html>"
    )
