"""Audit trail in Table Storage: who did what to which resource, when. Never images or templates."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from .clients import table

TABLE = "audit"
_MAX_TICKS = 10**19


@dataclass(frozen=True)
class AuditEntry:
    key_name: str
    role: str
    operation: str
    method: str
    resource: str
    status: int
    request_id: str
    detail: str = ""


def _row_key(now: datetime) -> str:
    # Newest first within a day's partition: Table queries return rows in RowKey order.
    ticks = int(now.timestamp() * 1_000_000)
    return f"{_MAX_TICKS - ticks:020d}-{uuid.uuid4().hex[:8]}"


def write(entry: AuditEntry) -> None:
    now = datetime.now(timezone.utc)
    table(TABLE).create_entity(
        {
            "PartitionKey": now.strftime("%Y%m%d"),
            "RowKey": _row_key(now),
            "Time": now,
            "KeyName": entry.key_name,
            "Role": entry.role,
            "Operation": entry.operation,
            "Method": entry.method,
            "Resource": entry.resource,
            "Status": entry.status,
            "RequestId": entry.request_id,
            "Detail": entry.detail,
        }
    )


def query(day: str, top: int = 100, operation: str | None = None, key_name: str | None = None) -> list[dict]:
    """Entries of one UTC day (yyyymmdd), newest first."""
    filters = ["PartitionKey eq @day"]
    params: dict = {"day": day}
    if operation:
        filters.append("Operation eq @op")
        params["op"] = operation
    if key_name:
        filters.append("KeyName eq @key")
        params["key"] = key_name
    rows = table(TABLE).query_entities(" and ".join(filters), parameters=params, results_per_page=min(top, 1000))
    out = []
    for row in rows:
        out.append(
            {
                "time": row["Time"].isoformat().replace("+00:00", "Z"),
                "keyName": row["KeyName"],
                "role": row["Role"],
                "operation": row["Operation"],
                "method": row["Method"],
                "resource": row["Resource"],
                "status": row["Status"],
                "requestId": row["RequestId"],
                **({"detail": row["Detail"]} if row.get("Detail") else {}),
            }
        )
        if len(out) >= top:
            break
    return out
