"""Training status of trainable collections: one row per collection in the `training` table."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import UpdateMode

from .clients import table
from .guarded import update_row

TABLE = "training"
NOT_STARTED, RUNNING, SUCCEEDED, FAILED = "notStarted", "running", "succeeded", "failed"


@dataclass(frozen=True)
class TrainingState:
    status: str
    training_id: str
    created: datetime
    last_action: datetime
    last_success: datetime | None
    message: str | None
    snapshot_blob: str | None
    snapshot_version: int
    etag: str


def _state(entity) -> TrainingState:
    return TrainingState(
        status=entity["Status"],
        training_id=entity["TrainingId"],
        created=entity["CreatedDateTime"],
        last_action=entity["LastActionDateTime"],
        last_success=entity.get("LastSuccessfulTrainingDateTime"),
        message=entity.get("Message") or None,
        snapshot_blob=entity.get("SnapshotBlob") or None,
        snapshot_version=int(entity.get("SnapshotVersion", 0)),
        etag=entity.metadata["etag"],
    )


def get(kind: str, collection_id: str) -> TrainingState | None:
    try:
        return _state(table(TABLE).get_entity(kind, collection_id))
    except ResourceNotFoundError:
        return None


def request(kind: str, collection_id: str) -> str:
    """Record a new training request (keeping the last good snapshot); returns its training id."""
    training_id = uuid.uuid4().hex
    now = datetime.now(timezone.utc)
    table(TABLE).upsert_entity(
        {
            "PartitionKey": kind,
            "RowKey": collection_id,
            "Status": NOT_STARTED,
            "TrainingId": training_id,
            "CreatedDateTime": now,
            "LastActionDateTime": now,
            "Message": "",
        },
        mode=UpdateMode.MERGE,
    )
    return training_id


def transition(kind: str, collection_id: str, training_id: str, status: str, **fields) -> bool:
    """Move the named training to `status`; False if a newer request replaced it meanwhile."""
    def change(entity: dict) -> bool:
        if entity["TrainingId"] != training_id:
            return False
        entity["Status"] = status
        entity["LastActionDateTime"] = datetime.now(timezone.utc)
        entity.update(fields)
        return True

    return update_row(table(TABLE), kind, collection_id, change)


def remove(kind: str, collection_id: str) -> None:
    try:
        table(TABLE).delete_entity(kind, collection_id)
    except ResourceNotFoundError:
        pass
