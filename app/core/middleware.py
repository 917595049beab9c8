"""Security headers, a request size limit and error bodies without internals."""

import json
import logging
import re
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import i18n, observability
from app.core.config import get_settings

log = logging.getLogger("konvoi")

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    # The pages and the API: Konvoi's own files only, no inline script or style.
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(self)",
    # Answers name people, loads and routes: no browser or proxy keeps one unless its route
    # says otherwise (the driver's phone page, Konvoi's own static files).
    "cache-control": "no-store",
}

# Sent only over HTTPS (a request's scheme, as uvicorn's proxy headers set it from a trusted
# proxy's X-Forwarded-Proto): a browser then refuses plain HTTP to Konvoi for a year.
HSTS = (b"strict-transport-security", b"max-age=31536000")


# /docs starts Swagger UI with an inline script and styles it inline; only it gets these.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)
DOCS_PATHS = ("/docs", "/static/swagger-ui")


class _TooLarge(Exception):
    pass


async def _send_json(
    send: Send, status: int, body: Mapping[str, object], *, https: bool = False
) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *[(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()],
                *([HSTS] if https else []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


_SECURITY = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
_DOCS_SECURITY = [
    (k.encode(), v.encode())
    for k, v in {**SECURITY_HEADERS, "content-security-policy": DOCS_CSP}.items()
]


class Hardening:
    """ASGI middleware: headers on every response, 413 past the size limit, opaque 500s."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        if scope.get("path", "").rstrip("/").endswith("/attachments"):
            # an upload: the file's own limit, and room for the form around it
            limit = get_settings().max_attachment_bytes + 64 * 1024
        too_large = {"detail": f"request body over {limit} bytes", "code": "too_large"}
        https = scope.get("scheme") == "https"
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_json(send, 413, too_large, https=https)
            return
        received = 0
        started = False
        rejected = False

        async def limited_receive() -> Message:
            # A chunked body declares no length: count it as it arrives. The 413 is sent
            # here, before raising, because whoever reads the body may turn any error while
            # reading into a response of its own (FastAPI answers 400 "error parsing the body").
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not started and not rejected:
                        rejected = True
                        await _send_json(send, 413, too_large, https=https)
                    raise _TooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if rejected:
                return  # the 413 has been sent; drop the app's answer to the aborted read
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                headers = _SECURITY
                if scope.get("path", "").startswith(DOCS_PATHS):
                    headers = _DOCS_SECURITY
                extra = [(k, v) for k, v in headers if k not in present]
                if https and HSTS[0] not in present:
                    extra.append(HSTS)
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _TooLarge:
            pass  # answered with 413 in limited_receive
        except Exception:
            if rejected:
                return  # the app failed on the body it could not read; 413 already sent
            # The route's template, never the path: a shared link's secret is in the path.
            route = observability.route_template(scope)
            current = observability.current_request.get()
            if current is not None:
                current.route = route  # the line's own route field, too
            log.exception("unhandled error on %s %s", scope.get("method"), route)
            if not started:
                await _send_json(
                    send,
                    500,
                    {"detail": "internal error; it has been logged", "code": "internal"},
                    https=https,
                )


class Speaking:
    """The language this request is answered in, before anything says a word: the API follows
    ``Accept-Language`` (English when it names none of ours); a page, the language cookie or
    the browser, until the page knows the account (``app.web.pages``)."""

    def __init__(self, app: ASGIApp, page_default: str) -> None:
        self.app = app
        self.page_default = page_default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        if scope["path"].startswith("/api/"):
            language = i18n.from_header(accept) or i18n.SOURCE
        else:
            chosen = _cookie(headers.get(b"cookie", b"").decode("latin-1"), "konvoi_language")
            if chosen not in i18n.LANGUAGES:
                chosen = i18n.from_header(accept) or self.page_default
            language = chosen
        with i18n.speaking(language):
            await self.app(scope, receive, send)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key == name:
            return value
    return None


# How a record's answer begins (its model's first fields; compact JSON): read without parsing
# the rest of it.
_RECORD_HEAD = re.compile(rb'\{"id":\d+,"version":(\d+)[,}]')


def _record_version(body: bytes) -> object | None:
    head = _RECORD_HEAD.match(body)
    if head is not None:
        return int(head.group(1))
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if isinstance(parsed, dict) and "id" in parsed and "version" in parsed:
        version: object = parsed["version"]
        return version
    return None


class VersionETag:
    """Send a record's version as its ETag, so clients can send it back in If-Match.

    Applies to JSON responses that are one record (a top-level "id" and "version").
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"application/json"):
                    start = message
                    return
                await send(message)
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = list(start.get("headers", []))
            # Only an answer that names a version can be a record: a readiness report or a
            # list of words is sent on without being parsed.
            if start["status"] in (200, 201) and b'"version":' in body:
                version = _record_version(body)
                if version is not None:
                    headers.append((b"etag", f'"{version}"'.encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered_send)
