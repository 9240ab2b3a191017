"""Re-enrollment after the recognition model changes: recompute templates from kept photos,
and list the persons who kept none and so must enroll again."""
from __future__ import annotations

import json
import logging

from azure.core.exceptions import ResourceNotFoundError

from ..api.errors import ApiError
from ..imaging.decode import decode_image
from ..settings import get_settings
from ..store import directory as directory_store
from ..store import members, operations, photos
from ..store.clients import queue
from .collection_kinds import KINDS_BY_KEY
from .enrollment import template_for_new_face, template_version
from .training import purge_snapshot

log = logging.getLogger(__name__)
PROGRESS_EVERY = 10


def start() -> str:
    operation_id = operations.record("notStarted")
    queue(get_settings().training_queue).send_message(json.dumps({"job": "reenroll", "operationId": operation_id}))
    return operation_id


def _target(rect: str) -> tuple[int, int, int, int] | None:
    try:
        values = tuple(int(v) for v in rect.split(","))
    except ValueError:
        return None
    return values if len(values) == 4 else None  # type: ignore[return-value]


def run(operation_id: str) -> dict:
    version = template_version()
    operations.update(operation_id, Status="running")
    outdated = list(members.outdated_faces(version))
    done = 0
    must_reenroll: set[tuple[str, str, str]] = set()
    touched: set[tuple[str, str]] = set()
    for index, (part, face_id, person_id, rect) in enumerate(outdated, start=1):
        kind, collection_id = part.split("~", 1)
        photo_scope = (kind, collection_id) if kind != directory_store.DIRECTORY else (kind, "")
        try:
            data = photos.read(photos.name(*photo_scope, person_id, face_id))
        except ResourceNotFoundError:
            must_reenroll.add((kind, photo_scope[1], person_id))
            continue
        try:
            image = decode_image(data, get_settings().max_image_pixels)
            analysis = template_for_new_face(image, _target(rect), quality_override=True)
        except ApiError:
            must_reenroll.add((kind, photo_scope[1], person_id))
            continue
        if members.replace_template(part, face_id, analysis.embedding, version):
            done += 1
            touched.add((kind, collection_id))
        if index % PROGRESS_EVERY == 0:
            operations.update(operation_id, Processed=index, Total=len(outdated))
    for kind, collection_id in touched:
        if kind == directory_store.DIRECTORY:
            directory_store.bump_version(collection_id)
        elif KINDS_BY_KEY[kind].trainable:
            purge_snapshot(KINDS_BY_KEY[kind], collection_id)
    result = {
        "templateVersion": version,
        "facesReenrolled": done,
        "facesOutdated": len(outdated),
        "personsToEnrollAgain": [
            {"kind": k, "collectionId": c, "personId": p} for k, c, p in sorted(must_reenroll)
        ],
    }
    operations.update(operation_id, Status="succeeded", Processed=len(outdated), Total=len(outdated),
                      Result=json.dumps(result))
    log.info("re-enrollment: %d of %d outdated faces recomputed, %d person(s) must enroll again",
             done, len(outdated), len(must_reenroll))
    return result


def status(operation_id: str) -> dict:
    found = operations.get(operation_id)
    if found is None:
        raise ApiError(404, "OperationNotFound", "Operation is not found.")
    out = {"operationId": operation_id, "status": found["Status"], "processed": found.get("Processed", 0),
           "total": found.get("Total", 0)}
    if found.get("Result"):
        out["result"] = json.loads(found["Result"])
    return out
