"""Key check, version check, envelope and parameter parsing, without HTTP or storage."""
from __future__ import annotations

import json

import pytest

from shared.api import dispatch
from shared.api.errors import ApiError
from shared.api.http_types import ApiRequest, ApiResponse, CaseInsensitiveDict
from shared.api.params import query_bool, query_choice, query_int
from shared.settings import get_settings, key_hash


@pytest.fixture
def keys(monkeypatch):
    monkeypatch.setenv("FACE_API_KEY", "first-key")
    monkeypatch.setenv("FACE_API_KEY_2", "second-key")
    monkeypatch.setenv(
        "FACE_API_KEY_HASHES",
        f"door:recognizer:{key_hash('recognizer-key')},hr-app:enroller:{key_hash('enroller-key')}",
    )
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _request(key: str | None = "first-key", version: str = "v1.2", query: dict | None = None) -> ApiRequest:
    headers = {"Ocp-Apim-Subscription-Key": key} if key is not None else {}
    return ApiRequest("POST", {"apiVersion": version}, CaseInsensitiveDict(query or {}), CaseInsensitiveDict(headers))


def _ok(_request: ApiRequest) -> ApiResponse:
    return ApiResponse.json({"ok": True})


def _envelope(response: ApiResponse) -> tuple[int, str]:
    body = json.loads(response.body)
    assert response.headers["x-ms-error-code"] == body["error"]["code"]
    assert body["error"]["message"]
    return response.status, body["error"]["code"]


@pytest.mark.parametrize("key", ["first-key", "second-key"])
def test_either_key_is_accepted(keys, key):
    assert dispatch.run(_request(key), _ok, "detect").status == 200


@pytest.mark.parametrize("key", [None, "", "wrong", "first-key "])
def test_bad_or_missing_key_is_401(keys, key):
    assert _envelope(dispatch.run(_request(key), _ok, "detect")) == (401, "401")


def test_no_configured_key_refuses_everything(monkeypatch):
    monkeypatch.delenv("FACE_API_KEY", raising=False)
    monkeypatch.delenv("FACE_API_KEY_2", raising=False)
    get_settings.cache_clear()
    try:
        assert dispatch.run(_request(""), _ok, "detect").status == 401
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("version", ["v1.0", "v1.1-preview.1", "v1.2-preview.1", "v1.2"])
def test_supported_versions(keys, version):
    assert dispatch.run(_request(version=version), _ok, "detect").status == 200


def test_unknown_version_is_404(keys):
    assert _envelope(dispatch.run(_request(version="v9.9"), _ok, "detect")) == (404, "404")


def test_unexpected_exception_becomes_500_without_details(keys):
    def boom(_request):
        raise RuntimeError("secret internals /path/to/file.py")

    response = dispatch.run(_request(), boom, "detect")
    assert _envelope(response) == (500, "InternalServerError")
    assert b"secret" not in response.body and b"Traceback" not in response.body


def test_query_parsing_rules():
    req = _request(query={"returnfaceid": "FALSE", "faceIdTimeToLive": "59", "mode": "MATCHFACE", "n": "x"})
    assert query_bool(req, "returnFaceId", True) is False  # names are case-insensitive
    assert query_bool(req, "absent", True) is True
    with pytest.raises(ApiError) as low:
        query_int(req, "faceIdTimeToLive", 86400, 60, 86400)
    assert low.value.code == "BadArgument"
    with pytest.raises(ApiError):
        query_int(req, "n", 1, 0, 10)
    assert query_choice(req, "mode", "matchPerson", ("matchPerson", "matchFace")) == "matchFace"
    with pytest.raises(ApiError):
        query_bool(_request(query={"b": "maybe"}), "b", True)


@pytest.mark.parametrize(
    "key,operation,status",
    [
        ("recognizer-key", "detect", 200),
        ("recognizer-key", "identify", 200),
        ("recognizer-key", "liveness-session", 200),
        ("recognizer-key", "person-faces", 403),
        ("recognizer-key", "train", 403),
        ("enroller-key", "person-faces", 200),
        ("enroller-key", "admin-sweep", 403),
        ("first-key", "admin-sweep", 200),
    ],
)
def test_roles(keys, monkeypatch, key, operation, status):
    monkeypatch.setattr(dispatch, "_audit", lambda *a: None)  # storage is not part of this unit test
    response = dispatch.run(_request(key), _ok, operation)
    assert response.status == status
    if status == 403:
        assert _envelope(response) == (403, "PermissionDenied")


def test_key_hashes_setting_rejects_unknown_roles(monkeypatch):
    monkeypatch.setenv("FACE_API_KEY_HASHES", "x:superuser:" + "0" * 64)
    get_settings.cache_clear()
    try:
        with pytest.raises(ValueError):
            get_settings()
    finally:
        get_settings.cache_clear()
