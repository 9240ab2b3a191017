"""Persons and faces on Azurite: limits hold under concurrent writers and nothing is lost."""
from __future__ import annotations

import json
import threading
import uuid

import numpy as np
import pytest

from shared.store import members
from shared.store.clients import table

pytestmark = pytest.mark.integration


def _vec() -> np.ndarray:
    v = np.random.default_rng().standard_normal(512).astype(np.float32)
    return v / np.linalg.norm(v)


def _face() -> members.Face:
    return members.Face(str(uuid.uuid4()), None, None, "recognition_04", "detection_03")


def _face_rows(part: str) -> set[str]:
    rows = table(members.TABLE).query_entities(
        "PartitionKey eq @p and RowKey gt 'f~' and RowKey lt 'f~~'", parameters={"p": part}
    )
    return {r["RowKey"][2:] for r in rows}


def test_two_clients_adding_faces_never_exceed_the_limit_nor_lose_one(store_env):
    part = members.partition("largepersongroup", "race")
    person = str(uuid.uuid4())
    members.add_person(part, person, "p", None, limit=10)
    limit = 12
    for _ in range(6):
        members.add_face(part, _face(), _vec(), limit, person)

    outcomes: list[str] = []
    lock = threading.Lock()

    def writer():
        for _ in range(6):
            try:
                members.add_face(part, _face(), _vec(), limit, person)
                result = "added"
            except members.QuotaReached:
                result = "quota"
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    listed = members.get_person(part, person).face_ids
    assert len(listed) == limit
    assert outcomes.count("added") == limit - 6 and outcomes.count("quota") == 6
    assert set(listed) == _face_rows(part)  # every stored face is listed, every listed face is stored


def test_concurrent_person_creation_respects_the_group_limit(store_env):
    part = members.partition("persongroup", "crowd")
    errors = []

    def create():
        try:
            members.add_person(part, str(uuid.uuid4()), "n", None, limit=5)
        except members.QuotaReached:
            errors.append(1)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(members.list_persons(part, None, 100)) == 5
    assert len(errors) == 3
    assert members.counts(part) == (5, 0)


def test_deleting_a_person_with_many_faces_removes_every_row(store_env):
    part = members.partition("largepersongroup", "many")
    person = str(uuid.uuid4())
    members.add_person(part, person, "p", None, limit=10)
    for _ in range(130):  # more than one 100-operation transaction
        members.add_face(part, _face(), _vec(), 248, person)
    assert members.delete_person(part, person)
    assert members.get_person(part, person) is None
    assert _face_rows(part) == set()
    assert members.counts(part) == (0, 0)
    assert members.delete_person(part, person) is False


def test_face_list_counter_and_version(store_env):
    part = members.partition("facelist", "fl")
    faces = [_face() for _ in range(3)]
    for f in faces:
        members.add_face(part, f, _vec(), 3)
    with pytest.raises(members.QuotaReached):
        members.add_face(part, _face(), _vec(), 3)
    before = members.version(part)
    assert members.delete_face(part, faces[0].face_id)
    assert members.version(part) == before + 1
    assert members.counts(part)[1] == 2
    row = members.get_row(part, members.COUNTS)
    assert json.loads(json.dumps(row["Faces"])) == 2
