"""Shared test fixtures.

Real-model tests find models through the model store: ``MINUTES_APP_MODELS``
(set by ``make test`` after ``models install --profile test``) or the user store.
A missing model fails the test loudly; it is never skipped silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
SHARED = (REPO.parent / "shared" / "fixtures").resolve()
DATA = Path(__file__).resolve().parent / "data"


def _store_root() -> Path:
    env = os.environ.get("MINUTES_APP_MODELS")
    if env:
        return Path(env)
    from minutes_app.base.settings import data_dir

    return data_dir() / "models"


# One model store for the whole run, also for code that resolves the store
# itself (GUI, subprocesses) and for tests that move the data folder.
os.environ.setdefault("MINUTES_APP_MODELS", str(_store_root()))


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared fixtures not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def model_path():
    """Return the installed folder of a model id, failing loudly if missing."""

    def get(model_id: str) -> Path:
        path = _store_root() / model_id
        if not path.is_dir():
            pytest.fail(
                f"model {model_id!r} not installed at {path}; run "
                "`minutes-app models install --profile test` (make test does this)"
            )
        return path

    return get


SUPPORT = Path(__file__).resolve().parent / "support"


@pytest.fixture
def no_network(monkeypatch, tmp_path) -> Path:
    """Block every network socket in this process and in every child it starts (worker
    processes get ``support/sitecustomize.py`` through PYTHONPATH). Yields the log of
    attempts: a test asserts it stays empty."""
    import runpy
    import socket

    log = tmp_path / "network-attempts.log"
    monkeypatch.setenv("NETBLOCK_LOG", str(log))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(SUPPORT), os.environ.get("PYTHONPATH")) if p)
    )
    for name in ("connect", "connect_ex"):  # restored after the test
        monkeypatch.setattr(socket.socket, name, getattr(socket.socket, name))
    monkeypatch.setattr(socket, "getaddrinfo", socket.getaddrinfo)
    runpy.run_path(str(SUPPORT / "sitecustomize.py"))
    return log


@pytest.fixture(autouse=True)
def _export_record(tmp_path_factory, monkeypatch):
    """Exports record their checksums (``base.keep``) in a test's own folder, not in the
    user's data folder."""
    from minutes_app.session import export

    path = tmp_path_factory.mktemp("exports") / "exports.json"
    monkeypatch.setattr(export, "registry", lambda: path)
