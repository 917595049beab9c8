from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.deps import (
    PrincipalDep,
    keep_device,
    login_attempt,
    oauth2,
    require_version,
    signed_in,
)
from app.auth.models import User
from app.auth.schemas import TokenRead, UserCreate, UserRead, UserUpdate
from app.core.database import SessionDep

# Public: logging in. Everything else sits behind the policy table.
login_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(tags=["auth"])


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
    response: Response,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
) -> TokenRead | JSONResponse:
    """OAuth2 password flow: a bearer token for the JSON API.

    The answer sets a device cookie: a client that keeps it is not held back by other
    people's failed logins on the same account (growing delays per account and address)."""
    attempt = login_attempt(request)
    user = service.authenticate(session, form.username, form.password, attempt)
    if user is None:
        # Returned, not raised: the recorded failure must be committed for the rate limit.
        return JSONResponse(
            {"detail": "wrong username or password", "code": "login_failed"},
            status_code=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Bearer"},
        )
    keep_device(request, response, service.remember_device(session, user, attempt))
    secret, token = service.issue_token(session, user)
    return TokenRead(access_token=secret, expires_at=token.expires_at)


@router.get("/auth/me", operation_id="whoami")
async def whoami(principal: PrincipalDep, session: SessionDep) -> UserRead:
    # Async: the account was read with the token; nothing here blocks.
    return signed_in(session).account


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
