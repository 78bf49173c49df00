"""Where the database is: ``DATABASE_URL``, else ``.streamlit/secrets.toml``, else SQLite."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRETS_PATH = ROOT / ".streamlit" / "secrets.toml"
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'data' / 'csol.db'}"


def read_secrets(path: Path | None = None) -> dict[str, Any]:
    """The secrets file as a dict; empty when there is none."""
    path = path or Path(os.environ.get("CSOL_SECRETS_FILE", SECRETS_PATH))
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def database_url(secrets: dict[str, Any] | None = None) -> str:
    if url := os.environ.get("DATABASE_URL"):
        return url
    secrets = read_secrets() if secrets is None else secrets
    if url := secrets.get("database_url"):
        return str(url)
    return DEFAULT_DATABASE_URL
