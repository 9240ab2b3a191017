"""Session fixtures shared by every test folder.

* ``azurite``: storage for the session. ``make test`` starts Azurite and sets
  FACE_TEST_STORAGE_CONNECTION_STRING; without it the fixture installs Azurite from npm
  (into .azurite/, once) and starts it on free ports with a temporary data folder.
* ``service``: ``scripts/local_host.py`` serving function_app.py in a subprocess on a free
  port, on that Azurite, with test keys and a table prefix (and training queue) of its own;
  other app settings come from local.settings.example.json. Queue and timer functions run
  too; ``POST {base_url}/admin/functions/<name>`` with ``{"input": "..."}`` runs one now.
* ``testdata``: the shared sample images (/work/shared/testdata beside the repo).
"""
from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from devhost import azurite as _azurite  # noqa: E402
from devhost.process import LocalHostProcess  # noqa: E402

TEST_KEY = "test-key-1"
TEST_KEY_2 = "test-key-2"

# local host logs of this session, printed in the summary when a test failed
_service_logs: list[Path] = []


@dataclass
class StorageInfo:
    connection_string: str
    blob_port: int
    queue_port: int
    table_port: int


@dataclass
class ServiceInfo:
    base_url: str
    key: str
    second_key: str
    env: dict = field(repr=False, default_factory=dict)
    log_path: Path | None = None
    pid: int | None = None


@pytest.fixture(scope="session")
def azurite():
    conn = os.environ.get("FACE_TEST_STORAGE_CONNECTION_STRING")
    if conn:
        ports = _azurite.ports_from_connection_string(conn)
        missing = {"blob", "queue", "table"} - set(ports)
        if missing:
            pytest.fail(f"FACE_TEST_STORAGE_CONNECTION_STRING has no {', '.join(sorted(missing))} endpoint")
        yield StorageInfo(conn, ports["blob"], ports["queue"], ports["table"])
        return
    try:
        server = _azurite.Azurite.start_free_ports()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"could not install or start Azurite ({exc}); `make test` sets everything up")
    try:
        yield StorageInfo(server.connection_string, server.blob_port, server.queue_port, server.table_port)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def service(azurite, request, tmp_path_factory):
    if not (REPO_ROOT / "function_app.py").is_file():
        pytest.fail("function_app.py is missing: the service fixture serves it")
    prefix = "t" + secrets.token_hex(5)
    env = dict(os.environ)
    env.update({
        "AzureWebJobsStorage": azurite.connection_string,
        "FACE_API_KEY": TEST_KEY,
        "FACE_API_KEY_2": TEST_KEY_2,
        "FACE_ALLOW_PRIVATE_URLS": "true",
        "FACE_TABLE_PREFIX": prefix,
        "FACE_TRAINING_QUEUE": f"{prefix}-training",  # one queue per session, like the tables
        "PYTHONUNBUFFERED": "1",
    })
    log_path = tmp_path_factory.mktemp("service") / "local_host.log"
    # the example settings fill in app settings such as %FACE_RETENTION_SCHEDULE%; env above wins
    example = REPO_ROOT / "local.settings.example.json"
    args = ["--settings", str(example)] if example.is_file() else []
    proc = LocalHostProcess(env=env, log_path=log_path, args=args)
    try:
        proc.start(timeout=60)
    except Exception as exc:  # noqa: BLE001
        _service_logs.append(log_path)
        pytest.fail(f"the local host did not start: {exc}")
    failed_before = request.session.testsfailed
    try:
        yield ServiceInfo(proc.base_url, TEST_KEY, TEST_KEY_2, env, log_path, proc.pid)
    finally:
        code = proc.stop()
        if request.session.testsfailed > failed_before or code not in (0, None, -15):
            _service_logs.append(log_path)


@pytest.fixture(scope="session")
def testdata() -> Path:
    override = os.environ.get("FACE_TESTDATA_DIR")
    path = Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared" / "testdata"
    if not path.is_dir():
        pytest.skip(f"shared test data not found at {path} (set FACE_TESTDATA_DIR)")
    return path


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for path in _service_logs:
        terminalreporter.write_line(f"local host log (stdout+stderr of scripts/local_host.py): {path}")
