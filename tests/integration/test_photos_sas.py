"""Photo SAS URLs on Azurite: read-only, and dead once expired."""
from __future__ import annotations

import time

import pytest
import requests

from shared.store import photos

pytestmark = pytest.mark.integration


def test_sas_url_reads_until_it_expires(store_env):
    blob = photos.name("largepersongroup", "g", "00000000-0000-4000-8000-000000000001", "f1")
    photos.put(blob, b"jpeg bytes" * 200)
    live, expiry = photos.sas_url(blob, minutes=15)
    assert requests.get(live, timeout=10).content == b"jpeg bytes" * 200
    assert requests.put(live, data=b"x", headers={"x-ms-blob-type": "BlockBlob"}, timeout=10).status_code == 403

    short, _ = photos.sas_url(blob, minutes=0)
    time.sleep(1.5)
    assert requests.get(short, timeout=10).status_code == 403
