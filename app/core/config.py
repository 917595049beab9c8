"""Settings read from the environment (prefix ``KONVOI_``) or a ``.env`` file."""

from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KONVOI_", env_file=".env", extra="ignore")

    # SQLite is the zero-setup default; production runs on PostgreSQL via psycopg 3.
    database_url: str = "sqlite:///./konvoi.db"
    # Connections in the pool, and as many requests served at once by a worker, each in a
    # thread of its own. A worker runs Python on one core at a time (the interpreter lock),
    # and every thread more hands that lock back and forth: SQLite gives it up for each row
    # it reads. Two keep a second lane open while a long request (an import, a PDF) runs;
    # more serve fewer requests a second (`wrk -c32` on one worker, SQLite: the phone page
    # 159 and 192 a second with 2, 133 and 156 with 8; README, Benchmarks). More workers use
    # more cores.
    db_pool_size: int = Field(default=2, ge=1)
    host: str = "127.0.0.1"
    # Addresses of reverse proxies whose X-Forwarded-For and -Proto are believed ("*": any).
    forwarded_allow_ips: str = "127.0.0.1"
    port: int = 8000
    # Where people reach Konvoi (https://konvoi.example.org): the address in a link shared
    # with a donor, and a form's Origin besides the request's own. Unset: http://HOST:PORT.
    public_url: str | None = None
    # Load the demo convoy into an empty database when `konvoi serve` starts.
    demo_on_first_start: bool = False
    # Lifetime of an API bearer token and of a browser session.
    token_minutes: int = 8 * 60
    session_hours: int = 12
    # Failed logins are remembered for the window. Per account and address (or per account
    # and known device) the first few are free, then each waits twice as long as the last.
    login_window_minutes: int = 15
    login_free_failures: int = Field(default=3, ge=0)
    login_delay_seconds: int = Field(default=2, ge=1)
    login_max_delay_seconds: int = Field(default=15 * 60, ge=1)
    # Failures within the window, far above what a shared office produces, past which an
    # address waits the window out, and past which each address may try the account once a
    # minute (never longer: the owner gets in). A device the account has logged in from
    # before is held by neither.
    login_address_limit: int = Field(default=100, ge=1)
    login_account_limit: int = Field(default=50, ge=1)
    # A donor report link works this many days after it is made.
    report_link_days: int = Field(default=90, ge=1, le=3650)
    # /metrics answers only a scraper that sends this as its bearer token; unset, it is 404.
    metrics_token: str | None = None
    # The server's log: one JSON object per line ("json") or plain lines ("text").
    log_format: Literal["json", "text"] = "json"
    # Largest request body accepted (uploads of signed copies come with their own limit).
    max_request_bytes: int = 1024 * 1024
    # An uploaded file (a scan, a photo, the exit confirmation): its own, larger limit.
    max_attachment_bytes: int = 10 * 1024 * 1024

    @field_validator("public_url")
    @classmethod
    def _an_address(cls, value: str | None) -> str | None:
        if not value:
            return None
        parsed = urlsplit(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("KONVOI_PUBLIC_URL must be an http(s) address with a host name")
        return value.rstrip("/")

    @property
    def site_url(self) -> str:
        """Konvoi's own address, without a trailing slash: never read from a request's Host
        header, which whoever sends the request chooses."""
        return self.public_url or f"http://{self.host}:{self.port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
