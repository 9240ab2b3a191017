from __future__ import annotations

import uuid

import pytest

from shared.settings import get_settings
from shared.store import clients


@pytest.fixture
def store_env(azurite, monkeypatch):
    """Point this process's storage clients at the test Azurite, with a fresh table prefix."""
    prefix = "i" + uuid.uuid4().hex[:10]
    monkeypatch.setenv("AzureWebJobsStorage", azurite.connection_string)
    monkeypatch.setenv("FACE_TABLE_PREFIX", prefix)

    def reset():
        get_settings.cache_clear()
        clients.reset_for_tests()

    reset()
    yield prefix
    reset()
