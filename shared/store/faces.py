"""Detected faces (faceId -> template) kept in Table Storage until their time-to-live ends.

Templates are written and read only here; they never leave the service.
"""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
from azure.core.exceptions import ResourceNotFoundError

from .clients import table

TABLE = "faces"
_reader_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="face-read")


@dataclass(frozen=True)
class StoredFace:
    face_id: str
    recognition_model: str
    embedding: np.ndarray
    expires_at: datetime


def new_face_ids(count: int) -> list[str]:
    """faceIds from one detect call share their first 32 bits, so they share a partition and
    can be written in one transaction; the remaining 90 random bits keep them unique."""
    prefix = uuid.uuid4().hex[:8]
    ids = []
    for _ in range(count):
        ids.append(str(uuid.UUID(hex=prefix + uuid.uuid4().hex[8:])))
    return ids


def _partition(face_id: str) -> str:
    return face_id[:8]


def save_faces(faces: list[StoredFace]) -> None:
    by_partition: dict[str, list[StoredFace]] = {}
    for face in faces:
        by_partition.setdefault(_partition(face.face_id), []).append(face)
    client = table(TABLE)
    for partition, group in by_partition.items():
        for start in range(0, len(group), 100):
            operations = [
                (
                    "upsert",
                    {
                        "PartitionKey": partition,
                        "RowKey": f.face_id,
                        "RecognitionModel": f.recognition_model,
                        "Template": np.asarray(f.embedding, dtype="<f4").tobytes(),
                        "ExpiresAt": f.expires_at,
                    },
                )
                for f in group[start : start + 100]
            ]
            client.submit_transaction(operations)


def _stored(entity) -> StoredFace:
    return StoredFace(
        face_id=entity["RowKey"],
        recognition_model=entity["RecognitionModel"],
        embedding=np.frombuffer(entity["Template"], dtype="<f4"),
        expires_at=entity["ExpiresAt"],
    )


def _read_partition(partition: str, wanted: list[str]) -> list[StoredFace]:
    """One faceId: a point read. Several from one detect call: one query of their partition
    (<= 100 rows, all written by that call) instead of a read each."""
    client = table(TABLE)
    if len(wanted) == 1:
        try:
            return [_stored(client.get_entity(partition, wanted[0]))]
        except ResourceNotFoundError:
            return []
    keep = set(wanted)
    rows = client.query_entities("PartitionKey eq @p", parameters={"p": partition})
    return [_stored(r) for r in rows if r["RowKey"] in keep]


def load_faces(face_ids: list[str]) -> dict[str, StoredFace]:
    """The faces that exist and have not expired, keyed by faceId (lower-case)."""
    by_partition: dict[str, list[str]] = {}
    for face_id in dict.fromkeys(f.lower() for f in face_ids):
        by_partition.setdefault(_partition(face_id), []).append(face_id)
    now = datetime.now(timezone.utc)
    if len(by_partition) <= 2:
        found = [_read_partition(p, ids) for p, ids in by_partition.items()]
    else:
        found = list(_reader_pool.map(lambda item: _read_partition(*item), by_partition.items()))
    return {f.face_id: f for group in found for f in group if f.expires_at > now}


def delete_expired(now: datetime | None = None) -> int:
    """Remove faces whose time-to-live has passed; returns how many were deleted."""
    now = now or datetime.now(timezone.utc)
    client = table(TABLE)
    expired = client.query_entities(
        "ExpiresAt le @now", parameters={"now": now}, select=["PartitionKey", "RowKey"]
    )
    deleted = 0
    for entity in expired:
        try:
            client.delete_entity(entity["PartitionKey"], entity["RowKey"])
        except ResourceNotFoundError:
            pass  # another sweep got there first
        deleted += 1
    return deleted
