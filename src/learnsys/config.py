"""One place for learnsys settings, read from the environment (prefix ``LEARNSYS_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Paths, limits and secrets. Every field can be set as ``LEARNSYS_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="LEARNSYS_", env_file=".env", extra="ignore")

    data_dir: Path = REPO_ROOT / "data" / "reference"
    ontology_dir: Path = REPO_ROOT / "ontology"
    corpus_dir: Path = REPO_ROOT / "corpus"
    index_dir: Path = REPO_ROOT / "indexes"
    lin_membership_file: Path | None = None

    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost", "http://127.0.0.1"])
    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'learnsys.db'}"  # or postgresql+psycopg://user@host/db
    store_poll_s: float = 2.0  # how often a server checks the store's change sequence for other servers' writes

    sparql_timeout_s: float = 5.0
    sparql_max_results: int = 10_000
    reload_poll_s: float = 2.0
    search_threads: int = 1  # torch and faiss threads for queries: one is fastest on a small, shared machine


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached)."""
    return Settings()
