"""Azurite answers for tables, blobs and queues with the development account."""
from __future__ import annotations

import secrets

import pytest
from azure.data.tables import TableServiceClient
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import QueueServiceClient

pytestmark = pytest.mark.integration


def test_table_blob_and_queue(azurite):
    suffix = secrets.token_hex(4)
    conn = azurite.connection_string
    assert f":{azurite.table_port}/" in conn and f":{azurite.blob_port}/" in conn and f":{azurite.queue_port}/" in conn

    tables = TableServiceClient.from_connection_string(conn)
    table = tables.create_table(f"smoke{suffix}")
    try:
        table.upsert_entity({"PartitionKey": "p", "RowKey": "r", "Value": 42})
        assert table.get_entity("p", "r")["Value"] == 42
    finally:
        tables.delete_table(f"smoke{suffix}")

    blobs = BlobServiceClient.from_connection_string(conn)
    container = blobs.create_container(f"smoke-{suffix}")
    try:
        container.upload_blob("hello.txt", b"hello")
        assert container.download_blob("hello.txt").readall() == b"hello"
    finally:
        container.delete_container()

    queues = QueueServiceClient.from_connection_string(conn)
    queue = queues.create_queue(f"smoke-{suffix}")
    try:
        queue.send_message("ping")
        assert [m.content for m in queue.receive_messages()] == ["ping"]
    finally:
        queue.delete_queue()
