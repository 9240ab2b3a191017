"""Shared helpers for end-to-end tests over HTTP."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests


@pytest.fixture(scope="session")
def samples(testdata: Path) -> Path:
    folder = testdata / "azure-face-samples"
    if not folder.is_dir():
        pytest.skip(f"Azure face sample images not found at {folder}")
    return folder


@pytest.fixture(scope="session")
def http(service):
    """A requests session that sends the service key; call http.post(path, ...) with a path."""

    class Client:
        def __init__(self) -> None:
            self.session = requests.Session()
            self.base = service.base_url

        def request(self, method: str, path: str, *, key: str | None = "default", **kwargs) -> requests.Response:
            headers = dict(kwargs.pop("headers", {}) or {})
            if key == "default":
                key = service.key
            if key is not None:
                headers["Ocp-Apim-Subscription-Key"] = key
            return self.session.request(method, self.base + path, headers=headers, timeout=60, **kwargs)

        def post(self, path: str, **kwargs) -> requests.Response:
            return self.request("POST", path, **kwargs)

        def detect(self, image: bytes, **params) -> requests.Response:
            return self.post(
                "/face/v1.2/detect", params=params, data=image,
                headers={"Content-Type": "application/octet-stream"},
            )

    return Client()


def error_code(response: requests.Response) -> str:
    body = response.json()
    code = body["error"]["code"]
    assert response.headers.get("x-ms-error-code") == code
    assert body["error"]["message"]
    return code


@pytest.fixture(scope="module")
def custom_service(service, tmp_path_factory):
    """Start another local host on the same Azurite with extra settings: custom_service(**env).
    Each gets a table prefix of its own; all stop when the module ends."""
    import secrets

    from devhost.process import LocalHostProcess

    started = []

    def start(**extra: str):
        prefix = "c" + secrets.token_hex(5)
        env = dict(service.env)
        env.update({"FACE_TABLE_PREFIX": prefix, "FACE_TRAINING_QUEUE": f"{prefix}-training", **extra})
        log_path = tmp_path_factory.mktemp("custom-service") / "local_host.log"
        proc = LocalHostProcess(env=env, log_path=log_path)
        proc.start(timeout=60)
        started.append(proc)

        class Info:
            base_url = proc.base_url
            key = service.key

        Info.env = env
        return Info

    yield start
    for proc in started:
        proc.stop()


def client_for(info, key: str | None = None):
    """A small requests wrapper bound to one service and key."""
    session = requests.Session()

    class Client:
        base = info.base_url

        def request(self, method: str, path: str, **kwargs) -> requests.Response:
            headers = dict(kwargs.pop("headers", {}) or {})
            headers["Ocp-Apim-Subscription-Key"] = key or info.key
            return session.request(method, self.base + path, headers=headers, timeout=60, **kwargs)

        def post(self, path: str, **kwargs) -> requests.Response:
            return self.request("POST", path, **kwargs)

        def detect(self, image: bytes, **params) -> requests.Response:
            return self.post("/face/v1.2/detect", params=params, data=image,
                             headers={"Content-Type": "application/octet-stream"})

    return Client()
