"""Consent, photos, revocation, erasure, retention, roles and audit, on Azurite over HTTP."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests
from azure.data.tables import TableServiceClient
from azure.storage.blob import BlobServiceClient

from shared.settings import key_hash

from .conftest import client_for, error_code

pytestmark = pytest.mark.e2e

V = "/face/v1.2"
RECOGNIZER_KEY, ENROLLER_KEY = "door-kiosk-key-0001", "hr-app-key-0002"


@pytest.fixture(scope="module")
def privacy_service(custom_service):
    return custom_service(
        FACE_REQUIRE_CONSENT="true",
        FACE_API_KEY_HASHES=f"door:recognizer:{key_hash(RECOGNIZER_KEY)},hr:enroller:{key_hash(ENROLLER_KEY)}",
    )


@pytest.fixture(scope="module")
def admin(privacy_service):
    return client_for(privacy_service)


@pytest.fixture(scope="module")
def enroller(privacy_service):
    return client_for(privacy_service, ENROLLER_KEY)


@pytest.fixture(scope="module")
def recognizer(privacy_service):
    return client_for(privacy_service, RECOGNIZER_KEY)


@pytest.fixture(scope="module")
def group(admin):
    gid = f"staff-{uuid.uuid4().hex[:6]}"
    assert admin.request("PUT", f"{V}/largepersongroups/{gid}", json={"name": "staff", "recognitionModel": "recognition_04"}).status_code == 200
    return gid


def _person(client, gid: str, name: str) -> str:
    r = client.post(f"{V}/largepersongroups/{gid}/persons", json={"name": name})
    assert r.status_code == 200, r.text
    return r.json()["personId"]


def _add_face(client, gid, pid, image: bytes):
    return client.post(f"{V}/largepersongroups/{gid}/persons/{pid}/persistedfaces", data=image,
                       headers={"Content-Type": "application/octet-stream"}, params={"detectionModel": "detection_03"})


def _consent(client, alias, scope):
    r = client.post(f"{V}/privacy/consents", json={"alias": alias, "scope": scope, "purpose": "building entry",
                                                   "noticeVersion": "2026-11", "method": "kiosk"})
    assert r.status_code == 200, r.text
    return r.json()


def _link(client, alias, gid, pid):
    r = client.post(f"{V}/privacy/subjects/links", json={"alias": alias, "largePersonGroupId": gid, "personId": pid})
    assert r.status_code == 200, r.text


def _photo_blobs(env, azurite) -> list[str]:
    blobs = BlobServiceClient.from_connection_string(azurite.connection_string)
    container = blobs.get_container_client(f"{env['FACE_TABLE_PREFIX']}-photos".lower())
    return [b.name for b in container.list_blobs()] if container.exists() else []


def _train(client, gid):
    assert client.post(f"{V}/largepersongroups/{gid}/train").status_code == 202
    for _ in range(120):
        status = client.request("GET", f"{V}/largepersongroups/{gid}/training").json()["status"]
        if status in ("succeeded", "failed"):
            return status
        time.sleep(0.25)
    raise AssertionError("training did not finish")


def test_add_face_requires_enrollment_consent_and_photos_need_the_second_one(
    admin, enroller, group, samples, privacy_service, azurite
):
    alias = f"emp-{uuid.uuid4().hex[:6]}@example.com"
    pid = _person(enroller, group, "Mom")
    r = _add_face(enroller, group, pid, (samples / "Family1-Mom1.jpg").read_bytes())
    assert r.status_code == 403 and error_code(r) == "ConsentRequired"

    r = enroller.post(f"{V}/privacy/consents", json={"alias": alias, "scope": "photoStorage", "purpose": "p",
                                                     "noticeVersion": "1", "method": "app"})
    assert r.status_code == 409  # photo storage is a second consent, after enrollment

    _consent(enroller, alias, "enrollment")
    _link(enroller, alias, group, pid)
    r = _add_face(enroller, group, pid, (samples / "Family1-Mom1.jpg").read_bytes())
    assert r.status_code == 200, r.text
    assert not [b for b in _photo_blobs(privacy_service.env, azurite) if pid in b]  # no photo consent, no blob

    _consent(enroller, alias, "photoStorage")
    r = _add_face(enroller, group, pid, (samples / "Family1-Mom2.jpg").read_bytes())
    face_with_photo = r.json()["persistedFaceId"]
    assert [b for b in _photo_blobs(privacy_service.env, azurite) if pid in b] == [
        f"largepersongroup/{group}/{pid}/{face_with_photo}"]

    urls = enroller.request("GET", f"{V}/privacy/photos", params={"alias": alias}).json()
    assert len(urls) == 1 and urls[0]["persistedFaceId"] == face_with_photo
    expires = datetime.fromisoformat(urls[0]["expiresOn"].replace("Z", "+00:00"))
    assert expires - datetime.now(timezone.utc) <= timedelta(minutes=15, seconds=5)
    fetched = requests.get(urls[0]["url"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == (samples / "Family1-Mom2.jpg").read_bytes()
    # read-only: the same URL cannot overwrite or delete the photo
    assert requests.put(urls[0]["url"], data=b"x", headers={"x-ms-blob-type": "BlockBlob"}, timeout=10).status_code == 403
    assert requests.delete(urls[0]["url"], timeout=10).status_code == 403

    # revoking photo consent deletes photos and keeps templates
    r = enroller.post(f"{V}/privacy/consents/revoke", json={"alias": alias, "scope": "photoStorage"})
    assert r.status_code == 200 and r.json()["photosDeleted"] == 1
    assert not [b for b in _photo_blobs(privacy_service.env, azurite) if pid in b]
    person = enroller.request("GET", f"{V}/largepersongroups/{group}/persons/{pid}").json()
    assert len(person["persistedFaceIds"]) == 2


def test_revoking_enrollment_consent_leaves_nothing_of_the_person(admin, group, samples, privacy_service, azurite):
    alias = f"leaver-{uuid.uuid4().hex[:6]}"
    pid = _person(admin, group, "Dad")
    _consent(admin, alias, "enrollment")
    _consent(admin, alias, "photoStorage")
    _link(admin, alias, group, pid)
    face_ids = []
    for n in (1, 2):
        r = _add_face(admin, group, pid, (samples / f"Family1-Dad{n}.jpg").read_bytes())
        face_ids.append(r.json()["persistedFaceId"])
    other = _person(admin, group, "Son")
    other_alias = f"stays-{uuid.uuid4().hex[:6]}"
    _consent(admin, other_alias, "enrollment")
    _link(admin, other_alias, group, other)
    assert _add_face(admin, group, other, (samples / "Family1-Son1.jpg").read_bytes()).status_code == 200
    assert _train(admin, group) == "succeeded"

    r = admin.post(f"{V}/privacy/consents/revoke", json={"alias": alias, "scope": "enrollment"})
    assert r.status_code == 200, r.text
    assert r.json()["personsDeleted"] == 1 and r.json()["snapshotsRebuilt"] == 1

    needles = [pid, alias, *face_ids]
    found = []
    prefix = privacy_service.env["FACE_TABLE_PREFIX"]
    tables = TableServiceClient.from_connection_string(azurite.connection_string)
    for t in tables.list_tables():
        if t.name.startswith(prefix):
            for entity in tables.get_table_client(t.name).list_entities():
                text = " ".join(str(v) for v in entity.values()) + entity["PartitionKey"] + entity["RowKey"]
                found += [(t.name, n) for n in needles if n in text]
    blobs = BlobServiceClient.from_connection_string(azurite.connection_string)
    pid_bytes = uuid.UUID(pid).bytes
    for c in blobs.list_containers(name_starts_with=prefix):
        client = blobs.get_container_client(c.name)
        for b in client.list_blobs():
            found += [(b.name, n) for n in needles if n in b.name]
            if c.name.endswith("snapshots") and pid_bytes in client.download_blob(b.name).readall():
                found.append((b.name, "template row of the person in a snapshot"))
    assert found == []
    # the other person is untouched and still identified
    faces = admin.detect((samples / "Family1-Son2.jpg").read_bytes(), recognitionModel="recognition_04").json()
    r = admin.post(f"{V}/identify", json={"faceIds": [faces[0]["faceId"]], "largePersonGroupId": group})
    assert r.json()[0]["candidates"][0]["personId"] == other
    # and the audit says what happened, without biometric data or ids
    audit = admin.request("GET", f"{V}/admin/audit", params={"operation": "privacy-revoke"}).json()
    assert audit and audit[0]["keyName"] == "key1" and pid not in str(audit)


def test_recognizer_key_gets_403_on_every_write(recognizer, group, samples):
    pid = str(uuid.uuid4())
    writes = [
        ("PUT", f"{V}/largepersongroups/new-group", {"json": {"name": "x"}}),
        ("PATCH", f"{V}/largepersongroups/{group}", {"json": {"name": "x"}}),
        ("DELETE", f"{V}/largepersongroups/{group}", {}),
        ("POST", f"{V}/largepersongroups/{group}/persons", {"json": {"name": "x"}}),
        ("PATCH", f"{V}/largepersongroups/{group}/persons/{pid}", {"json": {"name": "x"}}),
        ("DELETE", f"{V}/largepersongroups/{group}/persons/{pid}", {}),
        ("POST", f"{V}/largepersongroups/{group}/persons/{pid}/persistedfaces", {"data": b"x" * 2000}),
        ("POST", f"{V}/largepersongroups/{group}/train", {}),
        ("PUT", f"{V}/facelists/fl", {"json": {"name": "x"}}),
        ("POST", f"{V}/facelists/fl/persistedfaces", {"data": b"x" * 2000}),
        ("PUT", f"{V}/persongroups/pg", {"json": {"name": "x"}}),
        ("POST", f"{V}/persons", {"json": {"name": "x"}}),
        ("PUT", f"{V}/dynamicpersongroups/dg", {"json": {"name": "x"}}),
        ("POST", f"{V}/privacy/consents", {"json": {}}),
        ("POST", f"{V}/privacy/erasure", {"json": {"alias": "a"}}),
        ("POST", f"{V}/admin/sweep", {}),
        ("GET", f"{V}/largepersongroups/{group}/persons", {}),
    ]
    for method, path, kwargs in writes:
        r = recognizer.request(method, path, **kwargs)
        assert r.status_code == 403 and error_code(r) == "PermissionDenied", (method, path, r.status_code)
    # ...while recognition works
    assert recognizer.detect((samples / "Family1-Dad1.jpg").read_bytes()).status_code == 200


def test_enroller_cannot_run_admin_operations(enroller):
    for method, path in (("POST", f"{V}/admin/sweep"), ("GET", f"{V}/admin/audit"), ("POST", f"{V}/admin/reenrollment")):
        r = enroller.request(method, path)
        assert r.status_code == 403 and error_code(r) == "PermissionDenied"


def test_quality_override_is_admin_only(enroller, group):
    pid = _person(enroller, group, "x")
    r = enroller.post(f"{V}/largepersongroups/{group}/persons/{pid}/persistedfaces",
                      params={"overrideQualityCheck": "true"}, data=b"x" * 2000,
                      headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 403 and error_code(r) == "PermissionDenied"


def test_sweep_deletes_exactly_what_has_expired(admin, group, samples, privacy_service, azurite):
    prefix = privacy_service.env["FACE_TABLE_PREFIX"]
    tables = TableServiceClient.from_connection_string(azurite.connection_string)
    faces_table = tables.get_table_client(prefix + "faces")
    fresh = admin.detect((samples / "Family1-Dad1.jpg").read_bytes()).json()[0]["faceId"]
    stale = admin.detect((samples / "Family1-Dad2.jpg").read_bytes()).json()[0]["faceId"]
    entity = faces_table.get_entity(stale[:8], stale)
    entity["ExpiresAt"] = datetime.now(timezone.utc) - timedelta(seconds=5)
    faces_table.update_entity(entity)

    staying, leaving, expired = (f"{n}-{uuid.uuid4().hex[:6]}" for n in ("staying", "leaver", "expired"))
    people = {}
    for alias in (staying, leaving, expired):
        _consent(admin, alias, "enrollment")
        people[alias] = _person(admin, group, alias)
        _link(admin, alias, group, people[alias])
    admin.request("PUT", f"{V}/privacy/subjects/retention", json={"alias": leaving, "leaver": True})
    admin.request("PUT", f"{V}/privacy/subjects/retention",
                  json={"alias": expired, "retainUntil": (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()})
    admin.request("PUT", f"{V}/privacy/subjects/retention",
                  json={"alias": staying, "retainUntil": (datetime.now(timezone.utc) + timedelta(days=30)).isoformat()})

    counts = admin.post(f"{V}/admin/sweep").json()
    assert counts["expiredFaceIds"] == 1 and counts["subjectsErased"] == 2
    r = admin.post(f"{V}/verify", json={"faceId1": fresh, "faceId2": stale})
    assert r.status_code == 404 and error_code(r) == "FaceNotFound"
    assert faces_table.get_entity(fresh[:8], fresh)
    assert admin.request("GET", f"{V}/privacy/subjects", params={"alias": staying}).status_code == 200
    for alias in (leaving, expired):
        assert admin.request("GET", f"{V}/privacy/subjects", params={"alias": alias}).status_code == 404
        r = admin.request("GET", f"{V}/largepersongroups/{group}/persons/{people[alias]}")
        assert r.status_code == 404
    again = admin.post(f"{V}/admin/sweep").json()
    assert again["expiredFaceIds"] == 0 and again["subjectsErased"] == 0  # idempotent


def test_reenrollment_recomputes_from_kept_photos_and_lists_the_rest(admin, samples, privacy_service, azurite):
    import numpy as np

    gid = f"reenroll-{uuid.uuid4().hex[:6]}"
    assert admin.request("PUT", f"{V}/largepersongroups/{gid}", json={"name": "r", "recognitionModel": "recognition_04"}).status_code == 200
    kept, none = f"kept-{uuid.uuid4().hex[:6]}", f"none-{uuid.uuid4().hex[:6]}"
    dad, mom = _person(admin, gid, "Dad"), _person(admin, gid, "Mom")
    for alias, pid in ((kept, dad), (none, mom)):
        _consent(admin, alias, "enrollment")
        _link(admin, alias, gid, pid)
    _consent(admin, kept, "photoStorage")
    for n in (1, 2):
        assert _add_face(admin, gid, dad, (samples / f"Family1-Dad{n}.jpg").read_bytes()).status_code == 200
    assert _add_face(admin, gid, mom, (samples / "Family1-Mom1.jpg").read_bytes()).status_code == 200

    # a model update: every stored template was made by another model and means nothing to this one
    members = TableServiceClient.from_connection_string(azurite.connection_string).get_table_client(
        privacy_service.env["FACE_TABLE_PREFIX"] + "members")
    rng = np.random.default_rng(7)
    for row in members.query_entities("PartitionKey eq @p", parameters={"p": f"largepersongroup~{gid}"}):
        if row["RowKey"].startswith("f~"):
            noise = rng.standard_normal(512).astype("<f4")
            row["Template"] = (noise / np.linalg.norm(noise)).tobytes()
            row["TemplateVersion"] = "previous-model"
            members.update_entity(row)
    assert _train(admin, gid) == "succeeded"
    probe = admin.detect((samples / "Family1-Dad3.jpg").read_bytes(), recognitionModel="recognition_04").json()[0]["faceId"]
    before = admin.post(f"{V}/identify", json={"faceIds": [probe], "largePersonGroupId": gid}).json()
    assert before[0]["candidates"] == []  # the old templates no longer match anyone

    r = admin.post(f"{V}/admin/reenrollment")
    assert r.status_code == 202
    status_path = "/face/" + r.headers["operation-Location"].split("/face/", 1)[1]
    for _ in range(120):
        status = admin.request("GET", status_path).json()
        if status["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.25)
    assert status["status"] == "succeeded", status
    result = status["result"]
    assert result["facesReenrolled"] >= 2
    assert {"kind": "largepersongroup", "collectionId": gid, "personId": mom} in result["personsToEnrollAgain"]
    assert all(p["personId"] != dad for p in result["personsToEnrollAgain"])

    after = admin.post(f"{V}/identify", json={"faceIds": [probe], "largePersonGroupId": gid}).json()
    assert after[0]["candidates"] and after[0]["candidates"][0]["personId"] == dad


def test_the_timer_function_runs_the_same_sweep(admin, samples, privacy_service, azurite):
    faces_table = TableServiceClient.from_connection_string(azurite.connection_string).get_table_client(
        privacy_service.env["FACE_TABLE_PREFIX"] + "faces")
    stale = admin.detect((samples / "Family1-Mom2.jpg").read_bytes()).json()[0]["faceId"]
    entity = faces_table.get_entity(stale[:8], stale)
    entity["ExpiresAt"] = datetime.now(timezone.utc) - timedelta(seconds=1)
    faces_table.update_entity(entity)
    # the local host's admin endpoint fires a timer function once, as the schedule would
    r = requests.post(privacy_service.base_url + "/admin/functions/retention_sweep", json={"input": ""}, timeout=60)
    assert r.status_code == 202
    assert not list(faces_table.query_entities("RowKey eq @f", parameters={"f": stale}))
