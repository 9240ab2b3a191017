"""Persons and persisted faces of one collection, kept in one Table partition.

One partition per collection lets every change that touches two rows (a face and the person
that lists it, a person and the collection's counters) commit as a single transaction, guarded
by ETags: concurrent writers retry instead of overwriting each other, and a failure leaves the
old state or the new one, never a face that no person lists.
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterator

import numpy as np
from azure.core import MatchConditions
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableTransactionError, UpdateMode

from .clients import table
from .guarded import update_row

TABLE = "members"
COUNTS = "~counts"
PERSON, FACE = "p~", "f~"
_END = "~~"  # sorts after every id, which are [a-z0-9-_]


def partition(kind: str, collection_id: str) -> str:
    return f"{kind}~{collection_id}"


@dataclass
class Person:
    person_id: str
    name: str
    user_data: str | None
    face_ids: list[str] = field(default_factory=list)


@dataclass
class Face:
    face_id: str
    person_id: str | None
    user_data: str | None
    recognition_model: str = ""
    detection_model: str = ""
    template_version: str = ""   # which embedding model made the template (see enrollment.template_version)
    rect: str = ""               # "left,top,width,height" of the enrolled face, to find it again in the photo


class QuotaReached(Exception):
    pass


class Missing(Exception):
    """The person (or face) the change needs no longer exists."""


def _person(entity) -> Person:
    return Person(
        person_id=entity["RowKey"][len(PERSON):],
        name=entity["Name"],
        user_data=entity.get("UserData"),
        face_ids=json.loads(entity.get("FaceIds") or "[]"),
    )


def _face(entity) -> Face:
    return Face(
        face_id=entity["RowKey"][len(FACE):],
        person_id=entity.get("PersonId") or None,
        user_data=entity.get("UserData"),
        recognition_model=entity.get("RecognitionModel", ""),
        detection_model=entity.get("DetectionModel", ""),
    )


def get_row(part: str, row: str):
    """The raw row (person, face or counters), or None."""
    return _get(part, row)


def _get(part: str, row: str):
    try:
        return table(TABLE).get_entity(part, row)
    except ResourceNotFoundError:
        return None


def _guarded(op: str, entity, etag: str | None) -> tuple:
    """An update/delete that only applies if nobody changed the row since we read it."""
    if etag is None:
        return ("create", entity)
    return (op, entity, {"etag": etag, "match_condition": MatchConditions.IfNotModified, "mode": UpdateMode.REPLACE}
            if op == "update" else {"etag": etag, "match_condition": MatchConditions.IfNotModified})


def _transact(build: Callable[[], list[tuple] | None], attempts: int = 30) -> None:
    """Run build() -> operations and commit them; on an ETag or create conflict read again and retry."""
    for attempt in range(attempts):
        operations = build()
        if not operations:
            return
        try:
            table(TABLE).submit_transaction(operations)
            return
        except TableTransactionError as error:
            if error.status_code not in (409, 412):
                raise
            time.sleep(random.uniform(0.0, 0.01 * (attempt + 1)))
    raise RuntimeError("storage transaction kept conflicting")


def _counts(part: str) -> tuple[dict, str | None]:
    entity = _get(part, COUNTS)
    if entity is None:
        return {"PartitionKey": part, "RowKey": COUNTS, "Persons": 0, "Faces": 0, "Version": 0}, None
    return dict(entity), entity.metadata["etag"]


def version(part: str) -> int:
    """Bumped by every change to a face list's faces; lets readers cache templates safely."""
    counts, _ = _counts(part)
    return int(counts.get("Version", 0))


def counts(part: str) -> tuple[int, int]:
    c, _ = _counts(part)
    return int(c.get("Persons", 0)), int(c.get("Faces", 0))


# ---- persons ---------------------------------------------------------------------------------

def add_person(part: str, person_id: str, name: str, user_data: str | None, limit: int) -> None:
    def build():
        counts_row, etag = _counts(part)
        if counts_row["Persons"] >= limit:
            raise QuotaReached()
        counts_row["Persons"] += 1
        person = {"PartitionKey": part, "RowKey": PERSON + person_id, "Name": name, "FaceIds": "[]",
                  "CreatedAt": datetime.now(timezone.utc)}
        if user_data is not None:
            person["UserData"] = user_data
        return [("create", person), _guarded("update", counts_row, etag)]

    _transact(build)


def get_person(part: str, person_id: str) -> Person | None:
    entity = _get(part, PERSON + person_id)
    return _person(entity) if entity is not None else None


def page(part: str, prefix: str, start: str | None, top: int, select: list[str] | None = None) -> list[dict]:
    """Rows of one kind (their RowKeys share `prefix`) with ids after `start`, in id order, at most `top`."""
    rows = table(TABLE).query_entities(
        "PartitionKey eq @p and RowKey gt @lo and RowKey lt @hi",
        parameters={"p": part, "lo": prefix + (start or ""), "hi": prefix + _END},
        select=select, results_per_page=min(top, 1000),
    )
    out = []
    for entity in rows:
        out.append(entity)
        if len(out) >= top:
            break
    return out


def list_persons(part: str, start: str | None, top: int) -> list[Person]:
    return [_person(e) for e in page(part, PERSON, start, top)]


def update_person(part: str, person_id: str, name: str | None, user_data: str | None) -> bool:
    def change(entity: dict) -> bool:
        if name is not None:
            entity["Name"] = name
        if user_data is not None:
            entity["UserData"] = user_data
        return True

    return update_row(table(TABLE), part, PERSON + person_id, change)


def delete_person(part: str, person_id: str) -> bool:
    """Removes the person's faces in steps of at most 99, then the person; each step is atomic."""
    found = True

    def build():
        nonlocal found
        entity = _get(part, PERSON + person_id)
        if entity is None:
            found = False
            return None
        face_ids = json.loads(entity.get("FaceIds") or "[]")
        if face_ids:
            batch, rest = face_ids[:99], face_ids[99:]
            entity["FaceIds"] = json.dumps(rest)
            return [("delete", {"PartitionKey": part, "RowKey": FACE + f}) for f in batch] + [
                _guarded("update", entity, entity.metadata["etag"])
            ]
        counts_row, etag = _counts(part)
        counts_row["Persons"] = max(0, counts_row["Persons"] - 1)
        return [_guarded("delete", entity, entity.metadata["etag"]), _guarded("update", counts_row, etag)]

    if get_person(part, person_id) is None:
        return False
    while found and get_person(part, person_id) is not None:
        _transact(build)
    return True


# ---- faces -----------------------------------------------------------------------------------

def add_face(
    part: str, face: Face, embedding: np.ndarray, limit: int, person_id: str | None = None,
) -> None:
    """Adds a face to a person (person_id) or to a face list (None), within `limit` faces."""
    row = {
        "PartitionKey": part,
        "RowKey": FACE + face.face_id,
        "PersonId": person_id or "",
        "RecognitionModel": face.recognition_model,
        "DetectionModel": face.detection_model,
        "Template": np.asarray(embedding, dtype="<f4").tobytes(),
        "TemplateVersion": face.template_version,
        "FaceRect": face.rect,
        "CreatedAt": datetime.now(timezone.utc),
    }
    if face.user_data is not None:
        row["UserData"] = face.user_data

    def build():
        if person_id is not None:
            owner = _get(part, PERSON + person_id)
            if owner is None:
                raise Missing()
            listed = json.loads(owner.get("FaceIds") or "[]")
            if len(listed) >= limit:
                raise QuotaReached()
            owner["FaceIds"] = json.dumps(listed + [face.face_id])
            return [("create", row), _guarded("update", owner, owner.metadata["etag"])]
        counts_row, etag = _counts(part)
        if counts_row["Faces"] >= limit:
            raise QuotaReached()
        counts_row["Faces"] += 1
        counts_row["Version"] = int(counts_row.get("Version", 0)) + 1
        return [("create", row), _guarded("update", counts_row, etag)]

    _transact(build)


def get_face(part: str, face_id: str, person_id: str | None = None) -> Face | None:
    entity = _get(part, FACE + face_id)
    if entity is None or (entity.get("PersonId") or None) != person_id:
        return None
    return _face(entity)


def list_faces(part: str, start: str | None, top: int) -> list[Face]:
    return [_face(e) for e in page(part, FACE, start, top, select=["RowKey", "PersonId", "UserData"])]


def update_face(part: str, face_id: str, user_data: str | None, person_id: str | None = None) -> bool:
    if get_face(part, face_id, person_id) is None:
        return False
    try:
        table(TABLE).update_entity(
            {"PartitionKey": part, "RowKey": FACE + face_id, "UserData": user_data or ""}, mode=UpdateMode.MERGE
        )
    except ResourceNotFoundError:
        return False
    return True


def delete_face(part: str, face_id: str, person_id: str | None = None) -> bool:
    found = True

    def build():
        nonlocal found
        face = _get(part, FACE + face_id)
        if face is None or (face.get("PersonId") or None) != person_id:
            found = False
            return None
        if person_id is not None:
            owner = _get(part, PERSON + person_id)
            if owner is None:
                found = False
                return None
            listed = [f for f in json.loads(owner.get("FaceIds") or "[]") if f != face_id]
            owner["FaceIds"] = json.dumps(listed)
            return [_guarded("delete", face, face.metadata["etag"]), _guarded("update", owner, owner.metadata["etag"])]
        counts_row, etag = _counts(part)
        counts_row["Faces"] = max(0, counts_row["Faces"] - 1)
        counts_row["Version"] = int(counts_row.get("Version", 0)) + 1
        return [_guarded("delete", face, face.metadata["etag"]), _guarded("update", counts_row, etag)]

    _transact(build)
    return found


def templates(part: str, person_id: str | None = None) -> Iterator[tuple[str, str | None, np.ndarray, str]]:
    """(faceId, personId, template, recognitionModel) for every face of the collection (or one person)."""
    query = "PartitionKey eq @p and RowKey gt @lo and RowKey lt @hi"
    params = {"p": part, "lo": FACE, "hi": FACE + _END}
    if person_id is not None:
        query += " and PersonId eq @person"
        params["person"] = person_id
    rows = table(TABLE).query_entities(
        query, parameters=params, select=["RowKey", "PersonId", "Template", "RecognitionModel"], results_per_page=1000
    )
    for entity in rows:
        yield (
            entity["RowKey"][len(FACE):],
            entity.get("PersonId") or None,
            np.frombuffer(entity["Template"], dtype="<f4"),
            entity.get("RecognitionModel", ""),
        )


def delete_partition(part: str) -> int:
    """Deletes every row of a collection, 100 per transaction; returns how many."""
    client = table(TABLE)
    deleted = 0
    while True:
        pages = client.query_entities(
            "PartitionKey eq @p", parameters={"p": part}, select=["PartitionKey", "RowKey"], results_per_page=100
        ).by_page()
        rows = list(next(pages, []))
        if not rows:
            return deleted
        client.submit_transaction([("delete", {"PartitionKey": part, "RowKey": r["RowKey"]}) for r in rows])
        deleted += len(rows)


def outdated_faces(current_version: str) -> Iterator[tuple[str, str, str, str]]:
    """(partition, faceId, personId, rect) of every person's face whose template another model made."""
    rows = table(TABLE).query_entities(
        "TemplateVersion ne @v and PersonId ne ''", parameters={"v": current_version},
        select=["PartitionKey", "RowKey", "PersonId", "FaceRect"], results_per_page=1000,
    )
    for r in rows:
        if r["RowKey"].startswith(FACE):
            yield r["PartitionKey"], r["RowKey"][len(FACE):], r["PersonId"], r.get("FaceRect") or ""


def replace_template(part: str, face_id: str, embedding: np.ndarray, version: str) -> bool:
    try:
        table(TABLE).update_entity(
            {"PartitionKey": part, "RowKey": FACE + face_id, "Template": np.asarray(embedding, dtype="<f4").tobytes(),
             "TemplateVersion": version},
            mode=UpdateMode.MERGE,
        )
    except ResourceNotFoundError:
        return False  # deleted meanwhile
    return True
