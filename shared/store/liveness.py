"""Liveness sessions, their attempts and their session images."""
from __future__ import annotations

import json
from datetime import datetime

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import UpdateMode

from .clients import container, table
from .guarded import update_row

SESSIONS, ATTEMPTS = "livenesssessions", "livenessattempts"
PARTITION = "session"
IMAGES = "sessionimages"


def create(row: dict) -> None:
    table(SESSIONS).create_entity({"PartitionKey": PARTITION, **row})


def get(session_id: str) -> dict | None:
    try:
        return dict(table(SESSIONS).get_entity(PARTITION, session_id))
    except ResourceNotFoundError:
        return None


def update(session_id: str, **fields) -> None:
    table(SESSIONS).update_entity({"PartitionKey": PARTITION, "RowKey": session_id, **fields}, mode=UpdateMode.MERGE)


def claim_attempt(session_id: str, limit: int, started: datetime) -> int | None:
    """Take the next attempt number, or None when `limit` are used. ETag-guarded, so two devices
    racing with one token cannot both get the last attempt."""
    claimed: list[int] = []

    def change(row: dict) -> bool:
        number = int(row.get("AttemptCount", 0)) + 1
        if number > limit:
            return False
        row["AttemptCount"] = number
        row["Status"] = "Running"
        row.setdefault("SessionStartedAt", started)
        claimed[:] = [number]
        return True

    return claimed[0] if update_row(table(SESSIONS), PARTITION, session_id, change) else None


def list_page(kind: str, start: str | None, top: int) -> list[dict]:
    query = "PartitionKey eq @p and Kind eq @kind"
    params: dict = {"p": PARTITION, "kind": kind}
    if start:
        query += " and RowKey gt @start"
        params["start"] = start
    out = []
    for row in table(SESSIONS).query_entities(query, parameters=params, results_per_page=min(top, 1000)):
        out.append(dict(row))
        if len(out) >= top:
            break
    return out


def add_attempt(session_id: str, attempt_id: int, record: dict) -> None:
    table(ATTEMPTS).create_entity(
        {"PartitionKey": session_id, "RowKey": f"{attempt_id:010d}", "Record": json.dumps(record)}
    )


def attempts(session_id: str, start: int = 0, top: int = 1000) -> list[dict]:
    rows = table(ATTEMPTS).query_entities(
        "PartitionKey eq @s and RowKey gt @start", parameters={"s": session_id, "start": f"{start:010d}"},
        results_per_page=min(top, 1000),
    )
    out = []
    for row in rows:
        out.append(json.loads(row["Record"]))
        if len(out) >= top:
            break
    return out


def put_image(image_id: str, data: bytes) -> None:
    container(IMAGES).upload_blob(image_id, data, overwrite=True)


def get_image(image_id: str) -> bytes | None:
    try:
        return container(IMAGES).download_blob(image_id).readall()
    except ResourceNotFoundError:
        return None


def delete(session_id: str) -> None:
    """The session, its attempts and its images: nothing of it stays."""
    client = table(ATTEMPTS)
    for row in list(client.query_entities("PartitionKey eq @s", parameters={"s": session_id})):
        record = json.loads(row["Record"])
        for image_id in record.get("_imageIds", []):
            try:
                container(IMAGES).delete_blob(image_id)
            except ResourceNotFoundError:
                pass
        client.delete_entity(row["PartitionKey"], row["RowKey"])
    try:
        table(SESSIONS).delete_entity(PARTITION, session_id)
    except ResourceNotFoundError:
        pass


def delete_created_before(moment: datetime) -> int:
    rows = list(table(SESSIONS).query_entities(
        "PartitionKey eq @p and CreatedAt lt @m", parameters={"p": PARTITION, "m": moment}, select=["RowKey"]
    ))
    for row in rows:
        delete(row["RowKey"])
    return len(rows)
