"""The Konvoi application: the JSON API under /api/v1."""

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from sqlalchemy import literal
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from app.attachments import pages as attachment_pages
from app.attachments.routes import router as attachments_router
from app.audit import recording
from app.audit.routes import history_route
from app.audit.routes import router as audit_router
from app.auth import openapi as access
from app.auth import pages as auth_pages
from app.auth import service as accounts
from app.auth.deps import authorize
from app.auth.routes import login_router
from app.auth.routes import router as accounts_router
from app.auth.security import same
from app.certificates import pages as certificate_pages
from app.certificates.routes import router as certificates_router
from app.collection import hall_pages as collection_hall_pages
from app.collection import pages as collection_pages
from app.collection.routes import router as collection_router
from app.convoys import deliveries, guard, my_convoy
from app.convoys import pages as convoy_pages
from app.convoys.routes import router as convoys_router
from app.core import observability, openapi
from app.core.config import get_settings
from app.core.database import SessionDep
from app.core.errors import install_handlers
from app.core.middleware import Hardening, Speaking, VersionETag
from app.core.observability import Observing
from app.core.paths import storable_parameters
from app.desk import pages as desk_pages
from app.destinations import pages as destination_pages
from app.destinations.routes import router as destinations_router
from app.documents import pages as document_pages
from app.documents.routes import router as documents_router
from app.donors import pages as donor_pages
from app.donors.routes import router as donors_router
from app.drivers import pages as driver_pages
from app.drivers.privacy_routes import router as driver_privacy_router
from app.drivers.routes import router as drivers_router
from app.exports import pages as export_pages
from app.exports.routes import router as exports_router
from app.funding import pages as funding_pages
from app.funding.routes import router as funding_router
from app.imports.routes import router as imports_router
from app.items import pages as item_pages
from app.items.routes import router as items_router
from app.needs import pages as need_pages
from app.needs.routes import router as needs_router
from app.organisation import pages as organisation_pages
from app.organisation.routes import router as organisation_router
from app.refusals import REFUSALS
from app.web import assets
from app.web import i18n as web_i18n
from app.web import pages as web_pages

API_PREFIX = "/api/v1"
# Swagger UI's files, served from the fastapi-offline package: FastAPI's own /docs would load
# them from a CDN, which the no-CDN rule and the CSP forbid.
DOCS_STATIC = "/static/swagger-ui"

# Each record's audit history, added here once at import: create_app() copies the routers'
# routes every time it runs, so adding them there would add them again per app.
for _router, _entity, _param, _operation, _under in (
    (donors_router, "donor", "donor_id", "get_donor_history", ""),
    (destinations_router, "destination", "destination_id", "get_destination_history", ""),
    (needs_router, "need", "need_id", "get_need_history", ""),
    (items_router, "item", "item_id", "get_item_history", "/items"),
    (certificates_router, "usage_certificate", "certificate_id", "get_certificate_history", ""),
    (
        exports_router,
        "export_record",
        "export_record_id",
        "get_export_record_history",
        "/export-records",
    ),
    (drivers_router, "driver", "driver_id", "get_driver_history", ""),
    (convoys_router, "convoy", "convoy_id", "get_convoy_history", ""),
):
    history_route(_router, _entity, _param, _operation, under=_under)


def _operation_id(route: APIRoute) -> str:
    # Stable ids (the function name) so generated clients do not churn.
    return route.name


def install_listeners() -> None:
    """What every session does before it commits, for all sessions of this process: record
    its changes in the audit trail, and check a ready convoy whose drivers, items or papers
    changed again. Installed once; the app factory, the command line and the tests call it."""
    recording.install()
    guard.install()


def create_app() -> FastAPI:
    install_listeners()
    accounts.sign_ins_last("driver's trip", my_convoy.sign_in_lasts)
    app = FastAPIOffline(
        dependencies=[Depends(storable_parameters)],
        title="Konvoi",
        version="0.1.0",
        summary="Aid-convoy logistics: donated vehicles and equipment from Germany to Ukraine.",
        generate_unique_id_function=_operation_id,
        static_url=DOCS_STATIC,
        # ReDoc's bundle fetches its logo from a CDN and runs a blob: worker; Swagger UI suffices.
        redoc_url=None,
        # Otherwise Swagger UI shows a badge fetched from an external validator, with our URL.
        swagger_ui_parameters={"validatorUrl": None},
    )
    install_handlers(app)
    openapi.install(app, refusals=REFUSALS, access=access.errors_of)
    # The middleware added last runs first: hardening wraps everything, then the language of
    # the answer, ETags inside them.
    app.add_middleware(VersionETag)
    app.add_middleware(Speaking, page_default=web_i18n.DEFAULT)
    app.add_middleware(Hardening, max_body_bytes=get_settings().max_request_bytes)
    # A phone abroad pays for every byte: pages, styles and scripts go compressed.
    app.add_middleware(GZipMiddleware, minimum_size=500)
    # Outermost: the request id and the access log line cover every answer, 500s included.
    app.add_middleware(Observing)
    # A request tries the routes in the order they are included, all of them up to the one
    # that fits (FastAPI does not skip a router by its prefix: fastapi/fastapi#16159). Only
    # the API's paths start with /api/v1, so API and pages never compete for a path and can
    # take turns: what is asked most comes first, the driver's phone, who am I, the convoys
    # and their board.
    web_pages.install(app)  # the pages' error handling: session cookie, not in the spec

    def include_api(router: APIRouter) -> None:
        # Every API operation but logging in passes the policy table (app/auth/policy.py).
        app.include_router(router, prefix=API_PREFIX, dependencies=[Depends(authorize)])

    app.include_router(my_convoy.router)
    app.include_router(login_router, prefix=API_PREFIX)
    include_api(accounts_router)
    include_api(convoys_router)
    app.include_router(convoy_pages.router)
    for router in (
        documents_router,
        items_router,
        donors_router,
        # A hall's phones record hundreds of intake lines a shift: before the records
        # edited now and then (measured: 520 fewer calls per intake line, bench/collection.py).
        collection_router,
        destinations_router,
        needs_router,
        certificates_router,
        exports_router,
        drivers_router,
        driver_privacy_router,
        attachments_router,
        imports_router,
        organisation_router,
        funding_router,
        audit_router,
    ):
        include_api(router)
    app.include_router(assets.router)
    app.include_router(auth_pages.router)
    app.include_router(web_pages.router)
    app.include_router(collection_hall_pages.router)  # before /collection/{point_id}
    app.include_router(collection_pages.router)
    app.include_router(desk_pages.router)
    app.include_router(document_pages.router)
    app.include_router(attachment_pages.router)
    app.include_router(deliveries.router)
    app.include_router(funding_pages.router)
    app.include_router(need_pages.imports_router)  # before /needs/{record_id}
    app.include_router(item_pages.imports_router)  # before /items/{record_id}
    for register_pages in (
        item_pages,
        donor_pages,
        destination_pages,
        driver_pages,
        need_pages,
        certificate_pages,
        export_pages,
        organisation_pages,
    ):
        app.include_router(register_pages.router)

    @app.get("/healthz", include_in_schema=False, response_model=None)
    def healthz(session: SessionDep) -> dict[str, str] | JSONResponse:
        """Up means answering with the database behind it; 503 when the database is not."""
        try:
            session.exec(select(literal(1))).one()
        except SQLAlchemyError:
            session.rollback()
            return JSONResponse(
                {"status": "unavailable", "database": "not answering"}, status_code=503
            )
        return {"status": "ok", "database": "ok"}

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Prometheus' text format, for a scraper holding KONVOI_METRICS_TOKEN."""
        expected = get_settings().metrics_token
        if not expected:
            return JSONResponse({"detail": "not found", "code": "not_found"}, status_code=404)
        sent = request.headers.get("authorization", "")
        if not same(sent, f"Bearer {expected}"):
            return JSONResponse(
                {"detail": "send the metrics token as a bearer token", "code": "not_authenticated"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        body, content_type = observability.exposition()
        return Response(body, media_type=content_type)

    return app


app = create_app()
