"""Settings read from the environment (prefix ``KONVOI_``) or a ``.env`` file."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KONVOI_", env_file=".env", extra="ignore")

    # SQLite is the zero-setup default; production runs on PostgreSQL via psycopg 3.
    database_url: str = "sqlite:///./konvoi.db"
    # Connections in the pool, and as many request threads: one each for every request
    # served at once (40 is the thread pool Starlette would use anyway).
    db_pool_size: int = Field(default=40, ge=1)
    host: str = "127.0.0.1"
    port: int = 8000
    # Load the demo convoy into an empty database when `konvoi serve` starts.
    demo_on_first_start: bool = False
    # Lifetime of an API bearer token and of a browser session.
    token_minutes: int = 8 * 60
    session_hours: int = 12
    # Failed logins allowed per account and per address within the window, then 429.
    login_max_failures: int = 5
    login_window_minutes: int = 15
    # Largest request body accepted (uploads of signed copies come with their own limit).
    max_request_bytes: int = 1024 * 1024
    # An uploaded file (a scan, a photo, the exit confirmation): its own, larger limit.
    max_attachment_bytes: int = 10 * 1024 * 1024


@lru_cache
def get_settings() -> Settings:
    return Settings()
