"""What detect writes to storage, and what happens when a faceId's time-to-live has passed."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from azure.data.tables import TableServiceClient

from .conftest import error_code

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def faces_table(service, azurite):
    client = TableServiceClient.from_connection_string(azurite.connection_string)
    return client.get_table_client(service.env["FACE_TABLE_PREFIX"] + "faces")


def test_detect_stores_template_with_model_and_expiry(http, samples, faces_table):
    r = http.detect((samples / "Family1-Son1.jpg").read_bytes(), recognitionModel="recognition_03", faceIdTimeToLive="120")
    face_id = r.json()[0]["faceId"]
    entity = faces_table.get_entity(face_id[:8], face_id)
    assert entity["RecognitionModel"] == "recognition_03"
    assert len(entity["Template"]) == 512 * 4
    ttl = (entity["ExpiresAt"] - datetime.now(timezone.utc)).total_seconds()
    assert 100 < ttl <= 120


def test_expired_face_id_is_face_not_found(http, samples, faces_table):
    ids = []
    for name in ("Dad1", "Dad2"):
        r = http.detect((samples / f"Family1-{name}.jpg").read_bytes(), recognitionModel="recognition_04")
        ids.append(r.json()[0]["faceId"])
    ok = http.post("/face/v1.2/verify", json={"faceId1": ids[0], "faceId2": ids[1]})
    assert ok.status_code == 200
    # let the second faceId's time-to-live run out, as the clock would after faceIdTimeToLive seconds
    entity = faces_table.get_entity(ids[1][:8], ids[1])
    entity["ExpiresAt"] = datetime.now(timezone.utc) - timedelta(seconds=1)
    faces_table.update_entity(entity)
    r = http.post("/face/v1.2/verify", json={"faceId1": ids[0], "faceId2": ids[1]})
    assert r.status_code == 404 and error_code(r) == "FaceNotFound"
    r = http.post("/face/v1.2/findsimilars", json={"faceId": ids[1], "faceIds": [ids[0]]})
    assert r.status_code == 400 and error_code(r) == "FaceNotFound"
