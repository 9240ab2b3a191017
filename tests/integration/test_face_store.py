"""faceId templates on Azurite: written once per detect call, read back, expired, swept."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from shared.store import faces
from shared.store.clients import table

pytestmark = pytest.mark.integration


def _unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(512).astype(np.float32)
    return v / np.linalg.norm(v)


def test_round_trip_and_expiry(store_env):
    now = datetime.now(timezone.utc)
    ids = faces.new_face_ids(3)
    assert len(set(ids)) == 3 and len({i[:8] for i in ids}) == 1
    stored = [
        faces.StoredFace(ids[0], "recognition_04", _unit(0), now + timedelta(hours=1)),
        faces.StoredFace(ids[1], "recognition_01", _unit(1), now + timedelta(hours=1)),
        faces.StoredFace(ids[2], "recognition_04", _unit(2), now - timedelta(seconds=1)),
    ]
    faces.save_faces(stored)
    loaded = faces.load_faces([ids[0], ids[1].upper(), ids[2], "00000000-0000-4000-8000-000000000000"])
    assert set(loaded) == {ids[0], ids[1]}  # expired and unknown ids are simply absent
    assert loaded[ids[1]].recognition_model == "recognition_01"
    np.testing.assert_array_equal(loaded[ids[0]].embedding, stored[0].embedding)

    assert faces.delete_expired() == 1
    remaining = {e["RowKey"] for e in table(faces.TABLE).list_entities()}
    assert remaining == {ids[0], ids[1]}
    assert faces.delete_expired() == 0  # idempotent


def test_many_faces_are_read_in_parallel(store_env):
    expires = datetime.now(timezone.utc) + timedelta(hours=1)
    batch = [faces.StoredFace(f, "recognition_04", _unit(i), expires) for i, f in enumerate(faces.new_face_ids(150))]
    faces.save_faces(batch)  # more than one 100-operation transaction
    loaded = faces.load_faces([f.face_id for f in batch])
    assert len(loaded) == 150
