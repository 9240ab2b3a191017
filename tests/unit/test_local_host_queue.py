"""Queue triggers on a real Azurite queue: run, delete on success, retry, poison after 5 dequeues."""
from __future__ import annotations

import base64
import secrets
import time

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient, TextBase64EncodePolicy

from devhost.host import LocalHost
from tests.unit.test_local_host_app import Recorder, make_app

pytestmark = pytest.mark.integration


@pytest.fixture()
def queue_env(azurite, monkeypatch):
    name = f"devhost-{secrets.token_hex(4)}"
    monkeypatch.setenv("DEVHOST_TEST_QUEUE", name)
    monkeypatch.setenv("DevhostTestStorage", azurite.connection_string)
    yield name
    for q in (name, f"{name}-poison"):
        try:
            QueueClient.from_connection_string(azurite.connection_string, q).delete_queue()
        except ResourceNotFoundError:
            pass


def _wait_empty(client: QueueClient, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get_queue_properties().approximate_message_count == 0:
            return True
        time.sleep(0.1)
    return False


def test_queue_trigger_processes_and_deletes(azurite, queue_env):
    rec = Recorder()
    sender = QueueClient.from_connection_string(azurite.connection_string, queue_env,
                                                message_encode_policy=TextBase64EncodePolicy())
    sender.create_queue()
    with LocalHost(make_app(rec), port=0, timers=False):
        sender.send_message('{"job": 1}')
        sender.send_message("second ✓")
        assert rec.wait_for(lambda r: len(r.messages) >= 2, timeout=20), rec.messages
        assert _wait_empty(sender, 10)  # deleted after success
    bodies = sorted(m["body"] for m in rec.messages)
    assert bodies == sorted([b'{"job": 1}', "second ✓".encode()])
    assert all(m["dequeue_count"] == 1 and m["id"] for m in rec.messages)


def test_failing_message_goes_to_poison_after_five_dequeues(azurite, queue_env):
    rec = Recorder()
    sender = QueueClient.from_connection_string(azurite.connection_string, queue_env,
                                                message_encode_policy=TextBase64EncodePolicy())
    sender.create_queue()
    sender.send_message("fail please")
    poison = QueueClient.from_connection_string(azurite.connection_string, f"{queue_env}-poison")
    with LocalHost(make_app(rec), port=0, timers=False):
        assert rec.wait_for(lambda r: len(r.messages) >= 5, timeout=30), rec.messages
        deadline = time.monotonic() + 10
        moved = []
        while not moved and time.monotonic() < deadline:
            moved = list(poison.peek_messages(max_messages=5)) if poison_exists(poison) else []
            time.sleep(0.1)
        assert _wait_empty(sender, 10)
    assert [m["dequeue_count"] for m in rec.messages] == [1, 2, 3, 4, 5]
    assert len(moved) == 1
    assert base64.b64decode(moved[0].content) == b"fail please"  # the original (base64) content


def poison_exists(client: QueueClient) -> bool:
    try:
        client.get_queue_properties()
        return True
    except Exception:  # noqa: BLE001
        return False
