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
