"""The retention sweep: run by a timer and on demand. Idempotent, and safe to run twice at once:
every delete tolerates the row or blob being gone already."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from ..store import faces, members, photos, snapshots, subjects
from ..store import directory as directory_store
from ..store import liveness as liveness_store
from ..store import training as training_store
from ..store.clients import container
from . import privacy

log = logging.getLogger(__name__)

# A snapshot is written before its training row points at it; younger unreferenced ones may be in flight.
SNAPSHOT_GRACE = timedelta(hours=1)
LIVENESS_SESSION_LIFETIME = timedelta(hours=48)


def _orphan_photos() -> int:
    removed = 0
    for blob in photos.list_all():
        parts = blob.split("/")
        if len(parts) != 4:
            photos.delete(blob)
            removed += 1
            continue
        kind, collection_id, person_id, face_id = parts
        collection_id = "" if collection_id == "_" else collection_id
        if kind == directory_store.DIRECTORY:
            found = any(
                members.get_face(directory_store.faces_partition(m), face_id, person_id) is not None
                for m in ("recognition_01", "recognition_02", "recognition_03", "recognition_04")
            )
        else:
            found = members.get_face(members.partition(kind, collection_id), face_id, person_id) is not None
        if not found:
            photos.delete(blob)
            removed += 1
    return removed


def _orphan_snapshots(now: datetime) -> int:
    removed = 0
    for blob in container(snapshots.CONTAINER).list_blobs():
        if now - blob.last_modified < SNAPSHOT_GRACE:
            continue
        kind, collection_id, _file = blob.name.split("/", 2)
        state = training_store.get(kind, collection_id)
        if state is None or state.snapshot_blob != blob.name:
            snapshots.delete(blob.name)
            removed += 1
    return removed


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or datetime.now(timezone.utc)
    counts = {"expiredFaceIds": faces.delete_expired(now)}
    erased = 0
    for alias in subjects.subjects_due(now):
        try:
            privacy.erase(alias)
            erased += 1
        except Exception:  # noqa: BLE001 - one subject's failure must not stop the others; next run retries
            log.exception("retention erasure failed for one subject")
    counts["subjectsErased"] = erased
    counts["expiredLivenessSessions"] = liveness_store.delete_created_before(now - LIVENESS_SESSION_LIFETIME)
    counts["orphanedPhotos"] = _orphan_photos()
    counts["orphanedSnapshots"] = _orphan_snapshots(now)
    log.info("retention sweep: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts
