"""Read-modify-write of one row that never overwrites someone else's change (ETag If-Match)."""
from __future__ import annotations

from typing import Callable

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode


def update_row(client: TableClient, partition: str, row: str, change: Callable[[dict], bool], attempts: int = 10) -> bool:
    """Apply `change` to the current row and write it back if nobody wrote in between, re-reading
    on conflict. `change` returns False to leave the row alone; the result is False then, and
    when the row does not exist."""
    for _ in range(attempts):
        try:
            entity = client.get_entity(partition, row)
        except ResourceNotFoundError:
            return False
        if not change(entity):
            return False
        try:
            client.update_entity(
                entity, mode=UpdateMode.REPLACE, etag=entity.metadata["etag"], match_condition=MatchConditions.IfNotModified
            )
            return True
        except ResourceModifiedError:
            continue
    raise RuntimeError("row update kept conflicting with other writers")
