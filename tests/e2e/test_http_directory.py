"""PersonDirectory and DynamicPersonGroup over plain HTTP (the preview surface)."""
from __future__ import annotations

import uuid

import pytest

from .conftest import error_code

pytestmark = pytest.mark.e2e

V = "/face/v1.2-preview.1"


def _poll(http, response) -> dict:
    assert response.status_code == 202, response.text
    location = response.headers["operation-Location"]
    path = location.split("/face/", 1)[1]
    op = http.request("GET", "/face/" + path).json()
    assert op["status"] == "succeeded" and op["createdTime"]
    return op


def _create_person(http, name: str) -> str:
    r = http.post(f"{V}/persons", json={"name": name, "userData": "test"})
    _poll(http, r)
    assert r.headers["Location"].endswith(f"/persons/{r.json()['personId']}")
    return r.json()["personId"]


def _add_face(http, samples, person_id: str, image: str, model: str = "recognition_04") -> str:
    r = http.post(
        f"{V}/persons/{person_id}/recognitionModels/{model}/persistedfaces",
        params={"detectionModel": "detection_03"}, data=(samples / image).read_bytes(),
        headers={"Content-Type": "application/octet-stream"},
    )
    _poll(http, r)
    return r.json()["persistedFaceId"]


def _query(http, samples, image: str) -> list[str]:
    r = http.detect((samples / image).read_bytes(), recognitionModel="recognition_04", detectionModel="detection_03")
    return [f["faceId"] for f in r.json()]


def test_person_directory_flow(http, samples):
    people = {}
    for name, count in (("Dad", 2), ("Mom", 2), ("Son", 2), ("Daughter", 2)):
        pid = _create_person(http, f"{name}-{uuid.uuid4().hex[:4]}")
        people[name] = pid
        for n in range(1, count + 1):
            _add_face(http, samples, pid, f"Family1-{name}{n}.jpg")
    try:
        faces = http.request("GET", f"{V}/persons/{people['Dad']}/recognitionModels/recognition_04/persistedfaces").json()
        assert faces["personId"] == people["Dad"] and len(faces["persistedFaceIds"]) == 2
        assert http.request("GET", f"{V}/persons/{people['Dad']}/recognitionModels/recognition_01/persistedfaces").json()[
            "persistedFaceIds"] == []

        queries = _query(http, samples, "identification1.jpg")
        names = {v: k for k, v in people.items()}
        # a named subset, and the whole directory
        for scope in (list(people.values()), ["*"]):
            r = http.post(f"{V}/identify", json={"faceIds": queries, "personIds": scope})
            assert r.status_code == 200, r.text
            best = [names.get(res["candidates"][0]["personId"]) for res in r.json()]
            assert sorted(best) == ["Dad", "Daughter", "Mom", "Son"], scope

        dad = _query(http, samples, "Family1-Dad3.jpg")[0]
        r = http.post(f"{V}/verify", json={"faceId": dad, "personId": people["Dad"]})
        assert r.status_code == 200 and r.json()["isIdentical"] is True
        r = http.post(f"{V}/verify", json={"faceId": dad, "personId": people["Son"]})
        assert r.json()["isIdentical"] is False

        # dynamic person groups narrow the search
        gid = f"dpg-{uuid.uuid4().hex[:8]}"
        r = http.request("PUT", f"{V}/dynamicpersongroups/{gid}", json={"name": "parents", "addPersonIds": [people["Dad"], people["Mom"]]})
        _poll(http, r)
        assert sorted(http.request("GET", f"{V}/dynamicpersongroups/{gid}/persons").json()["personIds"]) == sorted(
            [people["Dad"], people["Mom"]])
        refs = http.request("GET", f"{V}/persons/{people['Dad']}/dynamicPersonGroupReferences").json()
        assert refs == {"dynamicPersonGroupIds": [gid]}
        r = http.post(f"{V}/identify", json={"faceIds": queries, "dynamicPersonGroupId": gid})
        found = {names[c["personId"]] for res in r.json() for c in res["candidates"]}
        assert found == {"Dad", "Mom"}
        r = http.request("PATCH", f"{V}/dynamicpersongroups/{gid}", json={"removePersonIds": [people["Mom"]]})
        _poll(http, r)
        assert http.request("GET", f"{V}/dynamicpersongroups/{gid}/persons").json()["personIds"] == [people["Dad"]]

        # deleting a person removes it from search and from its groups at once
        _poll(http, http.request("DELETE", f"{V}/persons/{people['Dad']}"))
        r = http.request("GET", f"{V}/persons/{people['Dad']}")
        assert r.status_code == 404 and error_code(r) == "PersonNotFound"
        assert http.request("GET", f"{V}/dynamicpersongroups/{gid}/persons").json()["personIds"] == []
        r = http.post(f"{V}/identify", json={"faceIds": queries, "personIds": ["*"]})
        assert people["Dad"] not in {c["personId"] for res in r.json() for c in res["candidates"]}
        _poll(http, http.request("DELETE", f"{V}/dynamicpersongroups/{gid}"))
        r = http.request("GET", f"{V}/dynamicpersongroups/{gid}")
        assert r.status_code == 404 and error_code(r) == "DynamicPersonGroupNotFound"
    finally:
        for pid in people.values():
            http.request("DELETE", f"{V}/persons/{pid}")


def test_directory_errors(http, samples):
    r = http.post(f"{V}/persons", json={"name": ""})
    assert r.status_code == 400 and error_code(r) == "BadArgument"
    missing = str(uuid.uuid4())
    r = http.request("GET", f"{V}/persons/{missing}")
    assert r.status_code == 404 and error_code(r) == "PersonNotFound"
    pid = _create_person(http, "err")
    try:
        r = http.post(f"{V}/persons/{pid}/recognitionModels/recognition_77/persistedfaces", data=b"x" * 2000,
                      headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 400 and error_code(r) == "BadArgument"
        r = http.request("PUT", f"{V}/dynamicpersongroups/dpg-bad", json={"name": "g", "addPersonIds": [missing]})
        assert r.status_code == 400 and error_code(r) == "PersonNotFound"
        r = http.request("GET", f"{V}/operations/{uuid.uuid4()}")
        assert r.status_code == 404
        q = _query(http, samples, "Family1-Dad1.jpg")
        r = http.post(f"{V}/identify", json={"faceIds": q, "dynamicPersonGroupId": "nope-none"})
        assert r.status_code == 400 and error_code(r) == "DynamicPersonGroupNotFound"
    finally:
        http.request("DELETE", f"{V}/persons/{pid}")
