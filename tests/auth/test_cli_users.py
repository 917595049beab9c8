"""`konvoi create-user`: the first admin comes from the command line; no default password."""

import ast
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app.auth.models import User
from app.cli import cli
from app.core.config import get_settings
from app.core.database import get_engine
from app.main import create_app

API = "/api/v1"
PASSWORD = "mykolaiv-filters-2026"
ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("KONVOI_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _postgres_database() -> tuple[str, str]:
    assert POSTGRES_URL
    name = f"konvoi_cli_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(False), name


def _drop_postgres_database(name: str) -> None:
    assert POSTGRES_URL
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[str]:
    """An empty database that the CLI and the app find through KONVOI_DATABASE_URL.

    The CLI commits for real, so this is not the suite's shared database.
    """
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.db'}"
    else:
        if not POSTGRES_URL:
            if IN_CI:
                pytest.fail("KONVOI_TEST_POSTGRES_URL is not set; CI runs every test on PostgreSQL")
            pytest.skip("set KONVOI_TEST_POSTGRES_URL to run the PostgreSQL half of the suite")
        url, name = _postgres_database()
    monkeypatch.setenv("KONVOI_DATABASE_URL", url)
    # Both are cached per process; the CLI and the app must see this database.
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield url
    get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()
    if name:
        _drop_postgres_database(name)


def konvoi(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def users() -> list[User]:
    with Session(get_engine()) as session:
        return list(session.exec(select(User)).all())


def log_in(username: str, password: str) -> TestClient:
    """A client of a fresh app on the CLI's database, holding a bearer token."""
    client = TestClient(create_app())
    response = client.post(f"{API}/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


def test_fresh_migrated_database_has_no_users(fresh_database: str) -> None:
    result = konvoi("migrate")
    assert result.exit_code == 0, result.output
    with get_engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM app_user")).scalar_one() == 0
    with TestClient(create_app()) as client:
        response = client.post(f"{API}/auth/token", data={"username": "admin", "password": "admin"})
        assert response.status_code == 401


def test_create_admin_from_stdin_then_log_in(fresh_database: str) -> None:
    result = konvoi(
        "create-user",
        "--username",
        "chief",
        "--role",
        "admin",
        "--full-name",
        "Chief Admin",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "created admin chief (id 1)\n"
    assert PASSWORD not in result.output
    [user] = users()
    assert (user.username, user.full_name, user.role.value) == ("chief", "Chief Admin", "admin")
    assert user.password_hash.startswith("$argon2id$")

    with log_in("chief", PASSWORD) as admin:
        me = admin.get(f"{API}/auth/me")
        assert me.status_code == 200
        assert me.json()["role"] == "admin"
        # The admin manages users from here on.
        assert admin.get(f"{API}/users").status_code == 200


def test_create_user_asks_for_the_password_twice(fresh_database: str) -> None:
    result = konvoi(
        "create-user",
        "--username",
        "olha",
        "--role",
        "admin",
        input=f"{PASSWORD}\nnot-the-same-password\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    assert "Repeat for confirmation:" in result.output
    assert "do not match" in result.output
    assert PASSWORD not in result.output  # typed without echo
    [user] = users()
    assert user.full_name == "olha"
    with log_in("olha", PASSWORD) as admin:
        assert admin.get(f"{API}/auth/me").json()["username"] == "olha"


@pytest.mark.parametrize("password", ["", "short-pass", " leading-space-password"])
def test_weak_password_is_refused_naming_the_field(fresh_database: str, password: str) -> None:
    result = konvoi(
        "create-user", "--username", "chief", "--role", "admin", "--password-stdin",
        input=password + "\n",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("error: password must ")
    assert no_users()


def no_users() -> bool:
    """Nothing was written: the database is still empty or holds no account."""
    return not _migrated() or users() == []


def _migrated() -> bool:
    with get_engine().connect() as conn:
        return bool(
            conn.execute(
                text("SELECT count(*) FROM information_schema.tables WHERE table_name='app_user'")
                if conn.dialect.name == "postgresql"
                else text("SELECT count(*) FROM sqlite_master WHERE name='app_user'")
            ).scalar_one()
        )


def test_unknown_role_is_refused_before_asking_for_a_password(fresh_database: str) -> None:
    result = konvoi("create-user", "--username", "chief", "--role", "superuser")
    assert result.exit_code == 2
    assert "--role" in result.output
    assert "superuser" in result.output
    assert "Password" not in result.output
    assert no_users()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--role", "driver"],
            "error: a driver account is linked to a driver record: set driver_id",
        ),
        (
            ["--role", "recipient"],
            "error: a recipient account is linked to a destination: set destination_id",
        ),
        (["--role", "admin", "--driver-id", "1"], "error: driver_id is only for driver accounts"),
        (
            ["--role", "clerk", "--destination-id", "1"],
            "error: destination_id is only for recipient accounts",
        ),
        (["--role", "driver", "--driver-id", "999"], "error: Driver: driver 999 does not exist"),
        (
            ["--role", "recipient", "--destination-id", "999"],
            "error: Destination: destination 999 does not exist",
        ),
    ],
)
def test_wrong_links_are_refused(fresh_database: str, args: list[str], message: str) -> None:
    result = konvoi(
        "create-user", "--username", "linked", *args, "--password-stdin", input=PASSWORD + "\n"
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == message
    assert result.stdout == ""
    assert no_users()


def test_bad_username_names_the_option(fresh_database: str) -> None:
    result = konvoi(
        "create-user", "--username", "Chief Admin", "--role", "admin", "--password-stdin",
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --username: String should match pattern")
    assert no_users()


def test_driver_account_linked_to_a_driver_record(fresh_database: str) -> None:
    assert konvoi(
        "create-user", "--username", "chief", "--role", "admin", "--password-stdin",
        input=PASSWORD + "\n",
    ).exit_code == 0  # fmt: skip
    with log_in("chief", PASSWORD) as admin:
        driver = admin.post(
            f"{API}/drivers",
            json={"name": "Taras Driver", "date_of_birth": "1975-03-09", "phone": "+380441234567"},
        )
        assert driver.status_code == 201, driver.text
    driver_id = str(driver.json()["id"])
    result = konvoi(
        "create-user", "--username", "taras", "--role", "driver", "--driver-id", driver_id,
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with log_in("taras", PASSWORD) as taras:
        me = taras.get(f"{API}/auth/me").json()
        assert (me["role"], me["driver_id"]) == ("driver", int(driver_id))


def test_taken_username_is_refused(fresh_database: str) -> None:
    for expected in (0, 2):
        result = konvoi(
            "create-user", "--username", "chief", "--role", "admin", "--password-stdin",
            input=PASSWORD + "\n",
        )  # fmt: skip
        assert result.exit_code == expected
    assert result.stderr.strip() == "error: the username chief is taken"
    assert len(users()) == 1


# --- no default password in the code --------------------------------------------------------

_CREDENTIAL_NAMES = {"password", "password_hash", "default_password", "admin_password"}


def _literal_credentials(source: str, name_of_file: str) -> list[str]:
    """Places where a password (or its hash) is a string literal in the source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        pairs: list[tuple[str | None, ast.expr | None]] = []
        if isinstance(node, ast.keyword):
            pairs.append((node.arg, node.value))
        elif isinstance(node, ast.Assign):
            pairs += [(t.id if isinstance(t, ast.Name) else None, node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            pairs.append((node.target.id, node.value))
        elif isinstance(node, ast.Call) and "hash_password" in (
            getattr(node.func, "attr", None),
            getattr(node.func, "id", None),
        ):
            pairs += [("password", arg) for arg in node.args]
        for name, value in pairs:
            if (
                name
                and name.lower() in _CREDENTIAL_NAMES
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                found.append(f"{name_of_file}:{getattr(node, 'lineno', '?')}")
        if isinstance(node, ast.Constant) and str(node.value).startswith("$argon2"):
            found.append(f"{name_of_file}:{node.lineno} (a password hash)")
    return found


def test_no_password_is_written_into_the_code() -> None:
    sources = [*ROOT.joinpath("app").rglob("*.py"), *ROOT.joinpath("migrations").rglob("*.py")]
    assert len(sources) > 20
    hits = [
        hit
        for path in sources
        for hit in _literal_credentials(path.read_text(encoding="utf-8"), str(path))
    ]
    assert hits == []


def test_the_credential_scan_finds_a_default_password() -> None:
    planted = (
        'User(username="admin", password_hash="$argon2id$v=19$m=65536,t=3,p=4$abc")\n'
        'DEFAULT = hash_password("changeme")\n'
        'password: str = "admin"\n'
        'security.hash_password(password="admin")\n'
    )
    assert sorted(_literal_credentials(planted, "x.py")) == [
        "x.py:1",
        "x.py:1 (a password hash)",
        "x.py:2",
        "x.py:3",
        "x.py:4",
    ]
