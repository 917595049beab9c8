"""docker-compose.yml cannot run here (no Docker engine); keep it honest by reading it."""

from pathlib import Path

import yaml

from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_compose_runs_postgres_and_the_app_with_known_settings() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "app"}
    image, tag = services["db"]["image"].split(":")
    assert image == "postgres"
    assert tag.split("-")[0].isdigit() and int(tag.split("-")[0]) >= 15
    app = services["app"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    settings_env = {f"KONVOI_{name.upper()}" for name in Settings.model_fields}
    assert set(app["environment"]) <= settings_env
    url = app["environment"]["KONVOI_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url
    assert app["command"][:2] == ["konvoi", "serve"]


def test_dockerfile_installs_the_project_and_ships_the_migrations() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY migrations" in dockerfile
    assert "pip install" in dockerfile
