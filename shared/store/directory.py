"""PersonDirectory: persons in one partition, their faces in one partition per recognition model,
and dynamic person groups as membership rows with back-references per person."""
from __future__ import annotations

import uuid

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from . import members
from .clients import table

DIRECTORY = "directory"
DPG_KIND = "dynamicpersongroup"


def persons_partition() -> str:
    return members.partition(DIRECTORY, "")


def faces_partition(recognition_model: str) -> str:
    return members.partition(DIRECTORY, recognition_model)


def _membership_partition(group_id: str) -> str:
    return members.partition("dpg", group_id)


def _references_partition(person_id: str) -> str:
    return members.partition("dpgref", person_id)


def ensure_face_owner(recognition_model: str, person_id: str) -> None:
    """Faces of each model live in their own partition, beside a row listing the person's faces there."""
    try:
        table(members.TABLE).create_entity(
            {"PartitionKey": faces_partition(recognition_model), "RowKey": members.PERSON + person_id,
             "Name": "", "FaceIds": "[]"}
        )
    except ResourceExistsError:
        pass


def face_owner_exists(recognition_model: str, person_id: str) -> bool:
    return members.get_person(faces_partition(recognition_model), person_id) is not None


def bump_version(recognition_model: str) -> None:
    """Readers cache the directory's templates per model and reload when this token changes."""
    table(members.TABLE).upsert_entity(
        {"PartitionKey": faces_partition(recognition_model), "RowKey": "~version", "Token": uuid.uuid4().hex}
    )


def version(recognition_model: str) -> str:
    row = members.get_row(faces_partition(recognition_model), "~version")
    return row["Token"] if row is not None else ""


# ---- dynamic person group membership ---------------------------------------------------------

def add_members(group_id: str, person_ids: list[str]) -> None:
    client = table(members.TABLE)
    for person_id in person_ids:
        for part, row in ((_membership_partition(group_id), "m~" + person_id), (_references_partition(person_id), group_id)):
            try:
                client.create_entity({"PartitionKey": part, "RowKey": row})
            except ResourceExistsError:
                pass


def remove_members(group_id: str, person_ids: list[str]) -> None:
    client = table(members.TABLE)
    for person_id in person_ids:
        for part, row in ((_membership_partition(group_id), "m~" + person_id), (_references_partition(person_id), group_id)):
            try:
                client.delete_entity(part, row)
            except ResourceNotFoundError:
                pass


def _keys(part: str, prefix: str, start: str | None, top: int) -> list[str]:
    return [row["RowKey"][len(prefix):] for row in members.page(part, prefix, start, top, select=["RowKey"])]


def group_members(group_id: str, start: str | None = None, top: int = 10**9) -> list[str]:
    return _keys(_membership_partition(group_id), "m~", start, top)


def person_groups(person_id: str, start: str | None = None, top: int = 10**9) -> list[str]:
    return _keys(_references_partition(person_id), "", start, top)


def delete_group_members(group_id: str) -> None:
    remove_members(group_id, group_members(group_id))
    members.delete_partition(_membership_partition(group_id))
