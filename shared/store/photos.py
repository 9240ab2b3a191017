"""Enrollment photos in Blob, written only with photo-storage consent and handed out only as
short-lived, read-only SAS URLs."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import BlobSasPermissions, ContentSettings, generate_blob_sas

from .clients import blob_service, container

CONTAINER = "photos"


def name(kind: str, collection_id: str, person_id: str, face_id: str) -> str:
    return f"{kind}/{collection_id or '_'}/{person_id}/{face_id}"


def _prefix(kind: str, collection_id: str, person_id: str | None = None) -> str:
    base = f"{kind}/{collection_id or '_'}/"
    return base + f"{person_id}/" if person_id else base


def put(blob: str, data: bytes) -> None:
    container(CONTAINER).upload_blob(
        blob, data, overwrite=True, content_settings=ContentSettings(content_type="application/octet-stream")
    )


def read(blob: str) -> bytes:
    return container(CONTAINER).download_blob(blob).readall()


def exists(blob: str) -> bool:
    return container(CONTAINER).get_blob_client(blob).exists()


def list_names(kind: str, collection_id: str, person_id: str | None = None) -> list[str]:
    return [b.name for b in container(CONTAINER).list_blobs(name_starts_with=_prefix(kind, collection_id, person_id))]


def list_all() -> list[str]:
    return [b.name for b in container(CONTAINER).list_blobs()]


def delete(blob: str) -> None:
    try:
        container(CONTAINER).delete_blob(blob)
    except ResourceNotFoundError:
        pass


def delete_prefix(kind: str, collection_id: str, person_id: str | None = None) -> int:
    names = list_names(kind, collection_id, person_id)
    for blob in names:
        delete(blob)
    return len(names)


def sas_url(blob: str, minutes: int) -> tuple[str, datetime]:
    """A read-only URL for one blob, valid for `minutes`. With an account key (Azurite, or a key
    from Key Vault) the SAS is signed with it; with managed identity it is a user-delegation SAS."""
    service = blob_service()
    client = container(CONTAINER)
    start = datetime.now(timezone.utc) - timedelta(minutes=1)  # tolerate clock skew
    expiry = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    credential = getattr(service, "credential", None)
    account_key = getattr(credential, "account_key", None)
    if account_key:
        token = generate_blob_sas(
            account_name=service.account_name, container_name=client.container_name, blob_name=blob,
            account_key=account_key, permission=BlobSasPermissions(read=True), start=start, expiry=expiry,
        )
    else:
        delegation = service.get_user_delegation_key(start, expiry)
        token = generate_blob_sas(
            account_name=service.account_name, container_name=client.container_name, blob_name=blob,
            user_delegation_key=delegation, permission=BlobSasPermissions(read=True), start=start, expiry=expiry,
        )
    return f"{client.get_blob_client(blob).url}?{token}", expiry
