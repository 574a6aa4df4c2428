"""The one configuration of the service, read from the environment (``ARRECON_*``) and ``.env``.

Stage code never reads it: the service builds small option objects from it and passes them down.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class Settings(BaseSettings):
    """Every knob of the service; each field is ``ARRECON_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="ARRECON_", env_file=".env", extra="ignore")

    # Storage: a SQLite file and a local folder by default, PostgreSQL by URL.
    database_url: str = "sqlite:///./var/arrecon.db"
    store_dir: Path = Path("./var/store")
    # Empty = the embedded queue that needs no server; ``redis://...`` = Celery over Redis.
    queue_url: str = ""

    # Upload limits. A request larger than max_request_bytes is refused from its Content-Length
    # (or cut off while streaming) before it is read; each file is bounded by max_upload_bytes.
    max_upload_bytes: int = Field(default=50 * MIB, gt=0)
    max_request_bytes: int = Field(default=200 * MIB, gt=0)
    max_files_per_request: int = Field(default=50, gt=0)
    page_size_max: int = Field(default=200, gt=0)

    # Processing.
    task_retries: int = Field(default=3, ge=0)
    task_backoff_s: float = Field(default=2.0, ge=0)
    document_time_limit_s: int = Field(default=300, gt=0)
    stuck_after_s: int = Field(default=900, gt=0)
    review_below_confidence: float = Field(default=0.8, ge=0, le=1)

    # Access. An empty secret makes the app draw a random one at start: sessions then do not
    # survive a restart, tokens (stored hashed) are unaffected.
    secret_key: SecretStr = SecretStr("")
    session_max_age_s: int = Field(default=8 * 3600, gt=0)
    session_cookie_secure: bool = False

    # Logging: one JSON object per line by default.
    log_level: str = "INFO"
    log_json: bool = True


def get_settings() -> Settings:
    """The settings of this process, read fresh from the environment."""
    return Settings()
