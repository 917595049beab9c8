"""The `konvoi` command line."""

import json
import subprocess
from pathlib import Path

import click

from app.auth.roles import Role

OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


# Written with click, which uvicorn brings, so a start loads one command-line library. The
# app's modules are imported by the commands that need them, not here: `--help` answers
# without them.
@click.group(no_args_is_help=True)
def cli() -> None:
    """Konvoi: aid-convoy logistics tracker."""


@cli.command("migrate")
@click.argument("revision", default="head")
def migrate_command(revision: str) -> None:
    """Bring the database schema to REVISION (default: the newest)."""
    migrate(revision)


def migrate(revision: str = "head") -> None:
    from sqlalchemy.engine import make_url

    from app.core import migrations
    from app.core.config import get_settings
    from app.core.database import get_engine

    with get_engine().begin() as connection:
        migrations.upgrade(connection, revision)
    url = make_url(get_settings().database_url).render_as_string(hide_password=True)
    click.echo(f"database at {revision}: {url}")


@cli.command("demo")
def demo_command() -> None:
    """Load the demo data set (the first Water4Ukraine convoy) into an empty database."""
    demo()


def demo() -> None:
    from app import demo as demo_data
    from app.core.database import get_engine
    from app.main import install_listeners

    migrate("head")
    install_listeners()
    logins = demo_data.load_if_empty(get_engine())
    if logins is None:
        click.echo("database is not empty; demo data not loaded")
        return
    click.echo("demo data loaded")
    # The only time these passwords exist in clear text: printed to the terminal, never saved.
    click.echo("demo accounts (passwords shown this once; note them now or set new ones):")
    for login in logins:
        click.echo(f"  {login.role.value:<12} {login.username:<18} {login.password}")


@cli.command()
@click.option("--host", help="Address to listen on")
@click.option("--port", type=int, help="Port to listen on")
@click.option("--demo/--no-demo", "with_demo", help="Load demo data into an empty database")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes (several need PostgreSQL; SQLite is served by one)",
)
def serve(host: str | None, port: int | None, with_demo: bool, workers: int) -> None:
    """Apply migrations and run the web server."""
    import os
    import tempfile

    import uvicorn

    from app.core import migrations
    from app.core.config import get_settings
    from app.core.database import get_engine
    from app.core.observability import logging_config

    settings = get_settings()
    engine = get_engine()
    if workers > 1 and engine.dialect.name == "sqlite":
        # More processes would only take turns at SQLite's one write lock.
        click.echo(
            f"SQLite lets one process write at a time: serving with one worker, not {workers}. "
            "Several workers need PostgreSQL (KONVOI_DATABASE_URL).",
            err=True,
        )
        workers = 1
    loads_demo = with_demo or settings.demo_on_first_start
    if loads_demo or not migrations.schema_at_head(engine):
        # Several servers starting at once on one database: one migrates and loads the
        # demo; the others wait for the start-up lock and find the work done.
        with migrations.one_at_a_time(engine):
            if loads_demo:
                demo()
            else:
                migrate("head")
    if workers > 1:
        engine.dispose()  # the workers open their own; one worker serves with this pool
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # The workers' metrics are kept in files there and summed when /metrics is read.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="konvoi-metrics-")
    uvicorn.run(
        "app.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        # No "server: uvicorn": what runs Konvoi is nobody's business outside.
        server_header=False,
        log_config=logging_config(json_lines=settings.log_format == "json"),
    )


@cli.command("create-user")
@click.option("--username", required=True, help="Login name: lower case letters, digits, . _ @ -")
@click.option(
    "--role", required=True, type=click.Choice(list(Role)), help="What the account may do"
)
@click.option("--full-name", help="Name shown in the audit trail")
@click.option("--driver-id", type=int, help="Driver record (driver accounts)")
@click.option("--destination-id", type=int, help="Destination (recipient accounts)")
@click.option("--collection-point-id", type=int, help="Collection point (volunteer accounts)")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
def create_user(
    username: str,
    role: Role,
    full_name: str | None,
    driver_id: int | None,
    destination_id: int | None,
    collection_point_id: int | None,
    password_stdin: bool,
) -> None:
    """Create an account. The password is asked for twice (or read from standard input with
    --password-stdin): there is no default password."""
    import sys

    from pydantic import ValidationError
    from sqlmodel import Session

    from app.auth import service as accounts
    from app.auth.schemas import UserCreate
    from app.core import migrations
    from app.core.database import begin_writing, get_engine
    from app.core.errors import DomainError
    from app.main import install_listeners

    install_listeners()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(
            username=username,
            full_name=full_name or username,
            role=role,
            password=password,
            driver_id=driver_id,
            destination_id=destination_id,
            collection_point_id=collection_point_id,
        )
    except ValidationError as exc:
        for error in exc.errors():
            click.echo(_input_problem(error["loc"], error["msg"]), err=True)
        raise click.exceptions.Exit(2) from exc
    engine = get_engine()
    with engine.begin() as connection:
        migrations.upgrade(connection)
    with Session(engine) as session:
        # The server may be writing too: queue for SQLite's write lock before reading.
        begin_writing(session)
        try:
            user = accounts.create_user(session, data)
            session.commit()
        except DomainError as exc:
            click.echo(f"error: {exc.message}", err=True)
            raise click.exceptions.Exit(2) from exc
        click.echo(f"created {user.role.value} {user.username} (id {user.id})")


def _input_problem(loc: tuple[int | str, ...], message: str) -> str:
    """One refusal, naming the option (or the password) it is about."""
    message = message.removeprefix("Value error, ")
    if not loc:  # a rule across fields (role and links): the message names them
        return f"error: {message}"
    name = str(loc[0])
    label = "password" if name == "password" else "--" + name.replace("_", "-")
    return f"error: {message}" if message.startswith(label) else f"error: {label}: {message}"


@cli.command()
@click.argument("target", type=click.Path(path_type=Path))
def backup(target: Path) -> None:
    """Back up the whole database (records, audit trail, issued papers, attachments) to the
    file TARGET."""
    from sqlalchemy.engine import make_url

    from app.core import backup as backups
    from app.core.config import get_settings

    url = get_settings().database_url
    try:
        written = backups.backup(url, target)
    except (backups.BackupError, subprocess.CalledProcessError) as exc:
        click.echo(f"error: {_said(exc)}", err=True)
        raise click.exceptions.Exit(1) from exc
    click.echo(f"backed up {make_url(url).render_as_string()} to {written}")


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
def restore(source: Path) -> None:
    """Restore SOURCE, a file written by `konvoi backup`, into the configured database,
    which must be empty."""
    from sqlalchemy.engine import make_url

    from app.core import backup as backups
    from app.core.config import get_settings

    url = get_settings().database_url
    try:
        backups.restore(url, source)
    except (backups.BackupError, subprocess.CalledProcessError) as exc:
        click.echo(f"error: {_said(exc)}", err=True)
        raise click.exceptions.Exit(1) from exc
    click.echo(f"restored {source} into {make_url(url).render_as_string()}")


def _said(exc: Exception) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        return (exc.stderr or b"").decode(errors="replace").strip() or str(exc)
    return str(exc)


def openapi_document() -> str:
    """The spec as served, serialised deterministically (sorted keys, fixed indentation)."""
    from app.main import create_app

    return json.dumps(create_app().openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@cli.command()
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=OPENAPI_PATH,
    help="Where to write the spec",
)
def openapi(output: Path) -> None:
    """Write the OpenAPI spec (checked in at openapi/openapi.json)."""
    output.write_text(openapi_document(), encoding="utf-8")
    click.echo(f"wrote {output}")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
