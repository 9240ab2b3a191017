"""One storage client per service, created once per process and reused."""
from __future__ import annotations

import logging
import threading
from functools import lru_cache

from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient, TableServiceClient

from ..settings import Settings, get_settings

# The SDKs' HTTP logging prints request URLs at INFO, and our URLs carry row keys such as personIds,
# which must never reach the logs at that level.
logging.getLogger("azure").setLevel(logging.WARNING)

# Azurite's documented development account (public, not a secret); used when the
# settings say UseDevelopmentStorage=true, which not every Azure SDK package parses.
_DEV_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
DEV_CONNECTION_STRING = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    f"AccountKey={_DEV_ACCOUNT_KEY};"
    "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
    "QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;"
    "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;"
)


def connection_string(settings: Settings) -> str | None:
    conn = settings.storage_connection_string
    if conn and conn.strip().rstrip(";").lower() == "usedevelopmentstorage=true":
        return DEV_CONNECTION_STRING
    return conn


@lru_cache(maxsize=1)
def _credential():
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


@lru_cache(maxsize=1)
def table_service() -> TableServiceClient:
    settings = get_settings()
    conn = connection_string(settings)
    if conn:
        return TableServiceClient.from_connection_string(conn)
    return TableServiceClient(
        endpoint=f"https://{settings.storage_account_name}.table.core.windows.net", credential=_credential()
    )


_tables: dict[str, TableClient] = {}
_tables_lock = threading.Lock()


def table(name: str) -> TableClient:
    """The client for `<prefix><name>`, creating the table on first use in this process."""
    full = f"{get_settings().table_prefix}{name}"
    with _tables_lock:
        client = _tables.get(full)
        if client is None:
            try:
                table_service().create_table(full)
            except ResourceExistsError:
                pass
            client = table_service().get_table_client(full)
            _tables[full] = client
        return client


@lru_cache(maxsize=1)
def blob_service():
    from azure.storage.blob import BlobServiceClient

    settings = get_settings()
    conn = connection_string(settings)
    if conn:
        return BlobServiceClient.from_connection_string(conn)
    return BlobServiceClient(f"https://{settings.storage_account_name}.blob.core.windows.net", credential=_credential())


_containers: dict[str, object] = {}


def container(name: str):
    """The client for container `<prefix>-<name>`, created on first use in this process."""
    full = f"{get_settings().table_prefix}-{name}".lower()
    with _tables_lock:
        client = _containers.get(full)
        if client is None:
            client = blob_service().get_container_client(full)
            try:
                client.create_container()
            except ResourceExistsError:
                pass
            _containers[full] = client
        return client


_queues: dict[str, object] = {}


def queue(name: str):
    """A queue whose messages the Functions host can read (base64 text, its default encoding)."""
    from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy

    settings = get_settings()
    with _tables_lock:
        client = _queues.get(name)
        if client is None:
            conn = connection_string(settings)
            policies = {"message_encode_policy": TextBase64EncodePolicy(), "message_decode_policy": TextBase64DecodePolicy()}
            if conn:
                client = QueueClient.from_connection_string(conn, name, **policies)
            else:
                client = QueueClient(
                    f"https://{settings.storage_account_name}.queue.core.windows.net", name,
                    credential=_credential(), **policies,
                )
            try:
                client.create_queue()
            except ResourceExistsError:
                pass
            _queues[name] = client
        return client


def reset_for_tests() -> None:
    """Forget cached clients so a changed environment takes effect (tests only)."""
    table_service.cache_clear()
    blob_service.cache_clear()
    _tables.clear()
    _containers.clear()
    _queues.clear()
