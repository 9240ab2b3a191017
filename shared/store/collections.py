"""Collection records (face lists and person groups): one row each in the `collections` table."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from .clients import table
from .guarded import update_row

TABLE = "collections"
ACTIVE, DELETING = "active", "deleting"


@dataclass(frozen=True)
class Collection:
    kind: str
    collection_id: str
    name: str
    user_data: str | None
    recognition_model: str
    created_at: datetime


def _from_entity(entity) -> Collection:
    return Collection(
        kind=entity["PartitionKey"],
        collection_id=entity["RowKey"],
        name=entity["Name"],
        user_data=entity.get("UserData"),
        recognition_model=entity["RecognitionModel"],
        created_at=entity["CreatedAt"],
    )


def create(kind: str, collection_id: str, name: str, user_data: str | None, recognition_model: str) -> bool:
    """False when the id is taken (including by a collection still being deleted)."""
    entity = {
        "PartitionKey": kind,
        "RowKey": collection_id,
        "Name": name,
        "RecognitionModel": recognition_model,
        "CreatedAt": datetime.now(timezone.utc),
        "State": ACTIVE,
    }
    if user_data is not None:
        entity["UserData"] = user_data
    try:
        table(TABLE).create_entity(entity)
    except ResourceExistsError:
        return False
    return True


def get(kind: str, collection_id: str) -> Collection | None:
    try:
        entity = table(TABLE).get_entity(kind, collection_id)
    except ResourceNotFoundError:
        return None
    return _from_entity(entity) if entity.get("State") == ACTIVE else None


def list_page(kind: str, start: str | None, top: int | None) -> list[Collection]:
    query = "PartitionKey eq @kind and State eq @active"
    params = {"kind": kind, "active": ACTIVE}
    if start:
        query += " and RowKey gt @start"
        params["start"] = start
    pages = table(TABLE).query_entities(query, parameters=params, results_per_page=min(top or 1000, 1000))
    out: list[Collection] = []
    for entity in pages:
        out.append(_from_entity(entity))
        if top is not None and len(out) >= top:
            break
    return out


def count(kind: str) -> int:
    rows = table(TABLE).query_entities("PartitionKey eq @kind", parameters={"kind": kind}, select=["RowKey"])
    return sum(1 for _ in rows)


def update(kind: str, collection_id: str, name: str | None, user_data: str | None) -> bool:
    def change(entity: dict) -> bool:
        if entity.get("State") != ACTIVE:
            return False
        if name is not None:
            entity["Name"] = name
        if user_data is not None:
            entity["UserData"] = user_data
        return True

    return update_row(table(TABLE), kind, collection_id, change)


def mark_deleting(kind: str, collection_id: str) -> bool:
    """First step of a delete: the collection disappears for readers before its contents go."""
    try:
        table(TABLE).update_entity(
            {"PartitionKey": kind, "RowKey": collection_id, "State": DELETING}, mode=UpdateMode.MERGE
        )
    except ResourceNotFoundError:
        return False
    return True


def remove(kind: str, collection_id: str) -> None:
    try:
        table(TABLE).delete_entity(kind, collection_id)
    except ResourceNotFoundError:
        pass
