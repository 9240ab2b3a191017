"""Training: the request (an HTTP call) and the work (a queue message) that builds a snapshot."""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone

import numpy as np

from ..search.index import TemplateIndex
from ..settings import get_settings
from ..store import members, snapshots
from ..store import training as training_store
from ..store.clients import queue
from .collection_kinds import KINDS_BY_KEY, CollectionKind
from .collections import require

log = logging.getLogger(__name__)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def request_training(kind: CollectionKind, collection_id: str) -> None:
    require(kind, collection_id)
    training_id = training_store.request(kind.key, collection_id)
    message = {"kind": kind.key, "collectionId": collection_id, "trainingId": training_id}
    queue(get_settings().training_queue).send_message(json.dumps(message))
    log.info("training requested for a %s", kind.key)


def training_status(kind: CollectionKind, collection_id: str, api_version: str) -> dict:
    require(kind, collection_id)
    state = training_store.get(kind.key, collection_id)
    if state is None:
        raise kind.not_trained(404)
    status = state.status
    if api_version == "v1.0" and status == training_store.NOT_STARTED:
        status = "nonstarted"  # sic: the v1.0 enum
    out = {
        "status": status,
        "createdDateTime": _iso(state.created),
        "lastActionDateTime": _iso(state.last_action),
        "lastSuccessfulTrainingDateTime": _iso(state.last_success),
    }
    if state.status == training_store.FAILED and state.message:
        out["message"] = state.message
    return out


def _build_snapshot(kind: CollectionKind, collection_id: str, recognition_model: str, version: int) -> tuple[str, int]:
    """Read every template of the collection from Table Storage and write a new snapshot blob."""
    face_ids: list[str] = []
    person_ids: list[str | None] = []
    # One growing float32 buffer rather than a list of small arrays stacked at the end: at 1M
    # templates that is ~2-3 GB at the peak instead of ~4 GB.
    matrix = np.empty((4096, 512), dtype=np.float32)
    for face_id, person_id, template, _model in members.templates(members.partition(kind.key, collection_id)):
        if len(face_ids) == len(matrix):
            grown = np.empty((len(matrix) * 2, 512), dtype=np.float32)
            grown[: len(matrix)] = matrix
            matrix = grown
        matrix[len(face_ids)] = template
        face_ids.append(face_id)
        person_ids.append(person_id)
        if len(face_ids) % 100_000 == 0:
            log.info("training: read %d templates", len(face_ids))
    matrix = matrix[: len(face_ids)]
    index = TemplateIndex.build(matrix)
    del matrix
    snapshot = snapshots.Snapshot(
        kind=kind.key,
        collection_id=collection_id,
        recognition_model=recognition_model,
        version=version,
        face_ids=snapshots.uuid_bytes(face_ids),
        person_ids=snapshots.uuid_bytes(person_ids),
        index_bytes=index.to_bytes(),
    )
    return snapshots.write(snapshot), len(face_ids)


def run_training(message: dict) -> None:
    """The queue worker's job. Idempotent: a superseded or repeated message changes nothing."""
    kind = KINDS_BY_KEY[message["kind"]]
    collection_id, training_id = message["collectionId"], message["trainingId"]
    state = training_store.get(kind.key, collection_id)
    if state is None or state.training_id != training_id or state.status == training_store.SUCCEEDED:
        return
    if not training_store.transition(kind.key, collection_id, training_id, training_store.RUNNING):
        return
    started = time.monotonic()
    try:
        collection = require(kind, collection_id)
        blob, count = _build_snapshot(kind, collection_id, collection.recognition_model, state.snapshot_version + 1)
        now = datetime.now(timezone.utc)
        done = training_store.transition(
            kind.key, collection_id, training_id, training_store.SUCCEEDED,
            SnapshotBlob=blob, SnapshotVersion=state.snapshot_version + 1, LastSuccessfulTrainingDateTime=now,
        )
        # Old snapshots go once the new one is live; a superseded run removes its own.
        snapshots.delete_all(kind.key, collection_id, keep=blob if done else state.snapshot_blob)
        log.info("training of a %s finished: %d templates, %.1f s", kind.key, count, time.monotonic() - started)
    except Exception as error:  # noqa: BLE001 - recorded for the client; the message is not retried forever
        log.exception("training of a %s failed", kind.key)
        training_store.transition(
            kind.key, collection_id, training_id, training_store.FAILED, Message=f"Training failed: {type(error).__name__}."
        )


def purge_snapshot(kind: CollectionKind, collection_id: str) -> bool:
    """Rebuild the live snapshot from what is stored now, so templates deleted since training are
    gone from Blob too, without making the collection look untrained meanwhile. A training that is
    queued or running will replace the snapshot anyway, so nothing is done then."""
    state = training_store.get(kind.key, collection_id)
    if state is None or state.snapshot_blob is None or state.status in (training_store.NOT_STARTED, training_store.RUNNING):
        return False
    collection = require(kind, collection_id)
    blob, _count = _build_snapshot(kind, collection_id, collection.recognition_model, state.snapshot_version + 1)
    if training_store.transition(
        kind.key, collection_id, state.training_id, state.status,
        SnapshotBlob=blob, SnapshotVersion=state.snapshot_version + 1,
    ):
        snapshots.delete_all(kind.key, collection_id, keep=blob)
        return True
    snapshots.delete(blob)  # a new training started meanwhile; it will write its own snapshot
    return False
