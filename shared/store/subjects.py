"""Data subjects: an alias (employee number, e-mail) mapped to personIds, with the consent ledger.

Aliases are personal data, so rows are keyed by a hash of the alias; the alias itself is kept
in one field so an admin can read it back. personIds are secrets and never logged.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import UpdateMode

from .clients import table

TABLE = "subjects"
SUBJECT, LINK, CONSENT = "subject", "link~", "consent~"
ENROLLMENT, PHOTO_STORAGE = "enrollment", "photoStorage"


def alias_key(alias: str) -> str:
    return hashlib.sha256(alias.strip().lower().encode()).hexdigest()[:40]


def _part(alias: str) -> str:
    return "subj~" + alias_key(alias)


def _person_part(person_id: str) -> str:
    return "person~" + person_id


@dataclass(frozen=True)
class Link:
    kind: str            # persongroup, largepersongroup or directory
    collection_id: str   # "" for the directory
    person_id: str


@dataclass(frozen=True)
class Consent:
    consent_id: str
    scope: str
    purpose: str
    notice_version: str
    method: str
    granted_by: str
    granted_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def ensure_subject(alias: str) -> None:
    table(TABLE).upsert_entity(
        {"PartitionKey": _part(alias), "RowKey": SUBJECT, "Alias": alias.strip()}, mode=UpdateMode.MERGE
    )


def subject(alias: str) -> dict | None:
    try:
        return dict(table(TABLE).get_entity(_part(alias), SUBJECT))
    except ResourceNotFoundError:
        return None


def set_retention(alias: str, retain_until: datetime | None, leaver: bool | None) -> None:
    fields: dict = {"PartitionKey": _part(alias), "RowKey": SUBJECT, "Alias": alias.strip()}
    if retain_until is not None:
        fields["RetainUntil"] = retain_until
    if leaver is not None:
        fields["Leaver"] = leaver
    table(TABLE).upsert_entity(fields, mode=UpdateMode.MERGE)


def link(alias: str, target: Link) -> None:
    ensure_subject(alias)
    row = f"{LINK}{target.kind}~{target.collection_id}~{target.person_id}"
    client = table(TABLE)
    client.upsert_entity({"PartitionKey": _part(alias), "RowKey": row, "Kind": target.kind,
                          "CollectionId": target.collection_id, "PersonId": target.person_id})
    client.upsert_entity({"PartitionKey": _person_part(target.person_id), "RowKey": alias_key(alias),
                          "Alias": alias.strip()})


def links(alias: str) -> list[Link]:
    rows = table(TABLE).query_entities(
        "PartitionKey eq @p and RowKey gt @lo and RowKey lt @hi",
        parameters={"p": _part(alias), "lo": LINK, "hi": LINK + "~~~"},
    )
    return [Link(r["Kind"], r["CollectionId"], r["PersonId"]) for r in rows]


def aliases_of_person(person_id: str) -> list[str]:
    rows = table(TABLE).query_entities("PartitionKey eq @p", parameters={"p": _person_part(person_id)})
    return [r["Alias"] for r in rows]


def unlink_person(person_id: str) -> None:
    """Forget every alias link of a deleted person (both directions)."""
    client = table(TABLE)
    for alias in aliases_of_person(person_id):
        for row in client.query_entities(
            "PartitionKey eq @p and PersonId eq @person", parameters={"p": _part(alias), "person": person_id}
        ):
            client.delete_entity(row["PartitionKey"], row["RowKey"])
        client.delete_entity(_person_part(person_id), alias_key(alias))


def links_in_collection(kind: str, collection_id: str) -> list[Link]:
    rows = table(TABLE).query_entities(
        "Kind eq @k and CollectionId eq @c", parameters={"k": kind, "c": collection_id}
    )
    return [Link(r["Kind"], r["CollectionId"], r["PersonId"]) for r in rows]


def grant(alias: str, scope: str, purpose: str, notice_version: str, method: str, granted_by: str) -> Consent:
    ensure_subject(alias)
    consent = Consent(uuid.uuid4().hex, scope, purpose, notice_version, method, granted_by,
                      datetime.now(timezone.utc), None, None)
    table(TABLE).create_entity(
        {"PartitionKey": _part(alias), "RowKey": CONSENT + consent.consent_id, "Scope": scope, "Purpose": purpose,
         "NoticeVersion": notice_version, "Method": method, "GrantedBy": granted_by, "GrantedAt": consent.granted_at}
    )
    return consent


def consents(alias: str) -> list[Consent]:
    rows = table(TABLE).query_entities(
        "PartitionKey eq @p and RowKey gt @lo and RowKey lt @hi",
        parameters={"p": _part(alias), "lo": CONSENT, "hi": CONSENT + "~"},
    )
    return [
        Consent(r["RowKey"][len(CONSENT):], r["Scope"], r["Purpose"], r["NoticeVersion"], r["Method"], r["GrantedBy"],
                r["GrantedAt"], r.get("RevokedAt"), r.get("RevokedBy"))
        for r in rows
    ]


def revoke(alias: str, scope: str, revoked_by: str) -> int:
    """Mark every active consent of `scope` revoked; the records stay as the ledger's history."""
    now = datetime.now(timezone.utc)
    count = 0
    for consent in consents(alias):
        if consent.scope == scope and consent.active:
            table(TABLE).update_entity(
                {"PartitionKey": _part(alias), "RowKey": CONSENT + consent.consent_id, "RevokedAt": now,
                 "RevokedBy": revoked_by},
                mode=UpdateMode.MERGE,
            )
            count += 1
    return count


def has_active(person_id: str, scope: str) -> bool:
    return any(c.scope == scope and c.active for alias in aliases_of_person(person_id) for c in consents(alias))


def erase_subject(alias: str) -> int:
    """Delete the subject's whole partition: links and identity mapping. Consent history goes too
    unless the caller kept an anonymised audit entry first."""
    client = table(TABLE)
    rows = list(client.query_entities("PartitionKey eq @p", parameters={"p": _part(alias)},
                                      select=["PartitionKey", "RowKey"]))
    for row in rows:
        client.delete_entity(row["PartitionKey"], row["RowKey"])
    return len(rows)


def subjects_due(now: datetime) -> list[str]:
    """Aliases whose retention date has passed or who left the organisation."""
    rows = table(TABLE).query_entities(
        "RowKey eq @s and ( Leaver eq true or RetainUntil le @now )", parameters={"s": SUBJECT, "now": now}
    )
    return [r["Alias"] for r in rows]
