"""The `konvoi` command line."""

import json
from pathlib import Path
from typing import Annotated

import typer

from app.core.config import get_settings

cli = typer.Typer(help="Konvoi: aid-convoy logistics tracker.", no_args_is_help=True)

OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


@cli.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Bring the database schema to REVISION (default: the newest)."""
    from app.core import migrations
    from app.core.database import get_engine

    with get_engine().begin() as connection:
        migrations.upgrade(connection, revision)
    typer.echo(f"database at {revision}: {get_settings().database_url}")


@cli.command()
def demo() -> None:
    """Load the demo data set (the first Water4Ukraine convoy) into an empty database."""
    from app import demo as demo_data
    from app.core.database import get_engine

    migrate("head")
    loaded = demo_data.load_if_empty(get_engine())
    typer.echo("demo data loaded" if loaded else "database is not empty; demo data not loaded")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    with_demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Load demo data into an empty database")
    ] = False,
) -> None:
    """Apply migrations and run the web server."""
    import uvicorn

    settings = get_settings()
    if with_demo or settings.demo_on_first_start:
        demo()
    else:
        migrate("head")
    uvicorn.run(
        "app.main:app", host=host or settings.host, port=port or settings.port, proxy_headers=True
    )


def openapi_document() -> str:
    """The spec as served, serialised deterministically (sorted keys, fixed indentation)."""
    from app.main import create_app

    return json.dumps(create_app().openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@cli.command()
def openapi(
    output: Annotated[Path, typer.Option(help="Where to write the spec")] = OPENAPI_PATH,
) -> None:
    """Write the OpenAPI spec (checked in at openapi/openapi.json)."""
    output.write_text(openapi_document(), encoding="utf-8")
    typer.echo(f"wrote {output}")


def main() -> None:
    cli()
