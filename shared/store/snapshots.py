"""Training snapshots in Blob: the search index of a collection plus the ids of its rows.

Layout of one blob: b"FACESNAP" | u32 header length | JSON header | face ids (N x 16 bytes)
| person ids (N x 16 bytes, zero for face lists) | index bytes.
"""
from __future__ import annotations

import json
import struct
import uuid
from dataclasses import dataclass

import numpy as np
from azure.core.exceptions import ResourceNotFoundError

from .clients import container

MAGIC = b"FACESNAP"
CONTAINER = "snapshots"


@dataclass
class Snapshot:
    kind: str
    collection_id: str
    recognition_model: str
    version: int
    face_ids: np.ndarray     # (N, 16) uint8 UUID bytes
    person_ids: np.ndarray   # (N, 16) uint8, zeros when the collection has no persons
    index_bytes: bytes | memoryview


def uuid_bytes(ids: list[str | None]) -> np.ndarray:
    out = np.zeros((len(ids), 16), dtype=np.uint8)
    for i, value in enumerate(ids):
        if value:
            out[i] = np.frombuffer(uuid.UUID(value).bytes, dtype=np.uint8)
    return out


def uuid_str(row: np.ndarray) -> str:
    return str(uuid.UUID(bytes=row.tobytes()))


def encode(snapshot: Snapshot) -> bytes:
    header = json.dumps(
        {
            "format": 1,
            "kind": snapshot.kind,
            "collectionId": snapshot.collection_id,
            "recognitionModel": snapshot.recognition_model,
            "version": snapshot.version,
            "count": int(snapshot.face_ids.shape[0]),
        }
    ).encode()
    return b"".join(
        [MAGIC, struct.pack("<I", len(header)), header, snapshot.face_ids.tobytes(), snapshot.person_ids.tobytes(),
         snapshot.index_bytes]
    )


def decode(data: bytes) -> Snapshot:
    if data[:8] != MAGIC:
        raise ValueError("not a face snapshot")
    (length,) = struct.unpack("<I", data[8:12])
    header = json.loads(data[12 : 12 + length])
    n = header["count"]
    offset = 12 + length
    face_ids = np.frombuffer(data, dtype=np.uint8, count=n * 16, offset=offset).reshape(n, 16)
    person_ids = np.frombuffer(data, dtype=np.uint8, count=n * 16, offset=offset + n * 16).reshape(n, 16)
    return Snapshot(
        kind=header["kind"],
        collection_id=header["collectionId"],
        recognition_model=header["recognitionModel"],
        version=header["version"],
        face_ids=face_ids,
        person_ids=person_ids,
        # a view, not a copy: the index references the downloaded blob instead of duplicating it
        index_bytes=memoryview(data)[offset + 32 * n :],
    )


def blob_name(kind: str, collection_id: str, version: int) -> str:
    return f"{kind}/{collection_id}/{version:010d}.snap"


def write(snapshot: Snapshot) -> str:
    name = blob_name(snapshot.kind, snapshot.collection_id, snapshot.version)
    container(CONTAINER).upload_blob(name, encode(snapshot), overwrite=True)
    return name


def read(name: str) -> Snapshot:
    return decode(container(CONTAINER).download_blob(name).readall())


def delete(name: str) -> None:
    try:
        container(CONTAINER).delete_blob(name)
    except ResourceNotFoundError:
        pass


def delete_all(kind: str, collection_id: str, keep: str | None = None) -> int:
    """Delete every snapshot of a collection (except `keep`); returns how many were removed."""
    client = container(CONTAINER)
    removed = 0
    for blob in client.list_blobs(name_starts_with=f"{kind}/{collection_id}/"):
        if blob.name != keep:
            delete(blob.name)
            removed += 1
    return removed
