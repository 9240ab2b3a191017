"""Detect: find faces, compute what was asked for, and remember templates under new faceIds."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from ..api.errors import ApiError, bad_argument
from ..store import faces as face_store
from ..vision import pipeline
from .models import (
    ATTRIBUTES_BY_DETECTION_MODEL,
    KNOWN_ATTRIBUTES,
    QUALITY_RECOGNITION_MODELS,
    RETIRED_ATTRIBUTES,
)

log = logging.getLogger(__name__)

MAX_FACES = 100
# Azure's minimum face is 36 px in images up to 1920x1080, proportionally larger above that.
MIN_FACE_PX = 36


@dataclass(frozen=True)
class DetectOptions:
    detection_model: str
    recognition_model: str
    return_face_id: bool
    return_landmarks: bool
    return_recognition_model: bool
    attributes: tuple[str, ...]
    face_id_ttl_seconds: int


def parse_attributes(raw: str | None, detection_model: str, recognition_model: str) -> tuple[str, ...]:
    if not raw:
        return ()
    canonical = {name.lower(): name for name in KNOWN_ATTRIBUTES + RETIRED_ATTRIBUTES}
    chosen: list[str] = []
    for part in raw.split(","):
        token = part.strip()
        if not token:
            continue
        name = canonical.get(token.lower())
        if name is None:
            raise bad_argument(f"Invalid returnFaceAttributes value '{token}'.")
        if name in RETIRED_ATTRIBUTES:
            raise ApiError(
                403, "UnsupportedFeature",
                f"Feature is not supported: the '{name}' attribute has been retired and is not available.",
            )
        if name not in chosen:
            chosen.append(name)
    if chosen and detection_model == "detection_02":
        raise bad_argument("'returnFaceAttributes' is not supported by detection_02.")
    for name in chosen:
        if name not in ATTRIBUTES_BY_DETECTION_MODEL[detection_model]:
            raise bad_argument(f"Attribute '{name}' is not supported by {detection_model}.")
        if name == "qualityForRecognition" and recognition_model not in QUALITY_RECOGNITION_MODELS:
            raise bad_argument("'qualityForRecognition' is only supported by recognition_03 or recognition_04.")
        if name not in pipeline.SUPPORTED_ATTRIBUTES:
            raise bad_argument(
                f"Attribute '{name}' is not supported by this service: no model in its model pack can answer it reliably."
            )
    return tuple(chosen)


def _min_face_px(image: np.ndarray) -> float:
    height, width = image.shape[:2]
    return MIN_FACE_PX * max(1.0, width / 1920, height / 1080)


def _rectangle(box: pipeline.FaceBox, image: np.ndarray) -> dict[str, int]:
    height, width = image.shape[:2]
    left = int(round(max(0.0, box.left)))
    top = int(round(max(0.0, box.top)))
    return {
        "top": top,
        "left": left,
        "width": int(round(min(box.width, width - left))),
        "height": int(round(min(box.height, height - top))),
    }


def detect(image: np.ndarray, options: DetectOptions) -> list[dict]:
    if options.detection_model == "detection_02" and options.return_landmarks:
        raise bad_argument("'returnFaceLandmarks' is not supported by detection_02.")
    analyses = pipeline.analyze(
        image,
        max_faces=MAX_FACES,
        want_landmarks=options.return_landmarks,
        want_embedding=options.return_face_id,
        attributes=frozenset(options.attributes),
    )
    smallest = _min_face_px(image)
    analyses = [a for a in analyses if min(a.box.width, a.box.height) >= smallest][:MAX_FACES]

    face_ids: list[str] = []
    if options.return_face_id and analyses:
        face_ids = face_store.new_face_ids(len(analyses))
        expires = datetime.now(timezone.utc) + timedelta(seconds=options.face_id_ttl_seconds)
        face_store.save_faces(
            [
                face_store.StoredFace(fid, options.recognition_model, a.embedding, expires)
                for fid, a in zip(face_ids, analyses)
            ]
        )
    log.info("detect: %d face(s), model %s", len(analyses), options.detection_model)

    results = []
    for index, analysis in enumerate(analyses):
        item: dict = {}
        if options.return_face_id:
            item["faceId"] = face_ids[index]
            if options.return_recognition_model:
                item["recognitionModel"] = options.recognition_model
        item["faceRectangle"] = _rectangle(analysis.box, image)
        if options.return_landmarks and analysis.landmarks68 is not None:
            item["faceLandmarks"] = pipeline.azure_landmarks(analysis.landmarks68)
        if options.attributes:
            item["faceAttributes"] = {name: analysis.attributes[name] for name in options.attributes}
        results.append(item)
    return results
