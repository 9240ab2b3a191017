"""Long-running operation records for PersonDirectory and DynamicPersonGroup writes."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from azure.core.exceptions import ResourceNotFoundError

from .clients import table

TABLE = "operations"
PARTITION = "op"


def record(status: str, message: str | None = None) -> str:
    """Store an operation; our PersonDirectory writes finish within the request, so most are born done."""
    operation_id = str(uuid.uuid4())
    now = datetime.now(timezone.utc)
    entity = {"PartitionKey": PARTITION, "RowKey": operation_id, "Status": status, "CreatedTime": now,
              "LastActionTime": now}
    if status in ("succeeded", "failed"):
        entity["FinishedTime"] = now
    if message:
        entity["Message"] = message
    table(TABLE).create_entity(entity)
    return operation_id


def get(operation_id: str) -> dict | None:
    try:
        return dict(table(TABLE).get_entity(PARTITION, operation_id))
    except ResourceNotFoundError:
        return None


def update(operation_id: str, **fields) -> None:
    from azure.data.tables import UpdateMode

    fields = dict(fields)
    fields["LastActionTime"] = datetime.now(timezone.utc)
    if fields.get("Status") in ("succeeded", "failed"):
        fields["FinishedTime"] = fields["LastActionTime"]
    table(TABLE).update_entity({"PartitionKey": PARTITION, "RowKey": operation_id, **fields}, mode=UpdateMode.MERGE)
