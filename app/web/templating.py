"""Rendering pages: one template per page with named blocks; an htmx request gets the block.

Templates live beside their domain (``app/<domain>/templates/<domain>/``) and in the shared
frame (``app/web/templates/web/``). Every page is rendered in the request's language with the
helpers for local times and money; responses that differ by ``HX-Request`` say so in ``Vary``.
"""

import hashlib
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2_fragments import render_block

from app.auth.policy import may
from app.auth.service import Principal
from app.web import formatting, i18n
from app.web.environment import environment


def language_of(request: Request, principal: Principal | None) -> str:
    """The account's chosen language; else the browser's first choice among ours, German
    without one. A recipient reads Ukrainian until its account picks another language, even
    where its browser asks for English (the utility's computers often do)."""
    chosen = principal.locale if principal else request.cookies.get("konvoi_language")
    if principal is not None and principal.role.value == "recipient":
        return chosen if chosen in i18n.LANGUAGES else "uk"
    return i18n.choose(chosen, request.headers.get("accept-language"), i18n.DEFAULT)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    principal: Principal | None = None,
    block: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The page, or only ``block`` of it when htmx asks (HX-Request)."""
    language = language_of(request, principal)
    env = environment(language)
    values = {
        "request": request,
        "principal": principal,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        # What the reader may do, by the API's policy table: a page offers only that.
        "may": lambda operation: principal is not None and may(principal.role, operation),
        "local_time": formatting.page_local_time(language),
        **context,
    }
    if block is not None and is_htmx(request):
        html = render_block(env, template, block, values)
    else:
        html = env.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["vary"] = "HX-Request, Accept-Language, Cookie"
    response.headers["content-language"] = language
    return response


def not_modified(request: Request, page: HTMLResponse) -> Response:
    """The page's ETag is its content's digest: asked again with it (If-None-Match), an
    unchanged page answers 304 with no body, a few hundred bytes on a phone's link."""
    etag = f'W/"{hashlib.sha256(page.body).hexdigest()[:32]}"'
    kept = {name: page.headers[name] for name in ("cache-control", "vary") if name in page.headers}
    sent = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in sent or etag.removeprefix("W/") in sent:
        return Response(status_code=304, headers={**kept, "etag": etag})
    page.headers["etag"] = etag
    return page
