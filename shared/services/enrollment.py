"""Turning an enrollment photo into one template: exactly one face (or the one in targetFace),
of a quality good enough to recognise later."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..api.errors import ApiError, invalid_image
from ..settings import get_settings
from ..vision import pipeline

MIN_FACE, MAX_FACE = 36, 4096
QUALITY_ATTRIBUTES = frozenset({"qualityForRecognition", "blur", "exposure", "headPose"})
MAX_TURN_DEGREES = 30.0


def _iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def quality_problems(face: pipeline.FaceAnalysis) -> list[str]:
    """Why a face would recognise poorly, in words an enrollment app can show the person."""
    attrs = face.attributes
    problems = []
    if min(face.box.width, face.box.height) < 100:
        problems.append("the face is too small (move closer to the camera)")
    if attrs.get("blur", {}).get("blurLevel") == "high":
        problems.append("the photo is blurred (hold still, clean the lens)")
    pose = attrs.get("headPose") or {}
    if max(abs(pose.get("yaw", 0.0)), abs(pose.get("pitch", 0.0))) > MAX_TURN_DEGREES:
        problems.append("the face is turned away (look straight at the camera)")
    level = attrs.get("exposure", {}).get("exposureLevel")
    if level == "underExposure":
        problems.append("the photo is too dark (add light in front of the face)")
    elif level == "overExposure":
        problems.append("the photo is too bright (avoid direct light on the face)")
    return problems


@lru_cache(maxsize=1)
def template_version() -> str:
    """Names the embedding model that makes templates, so a model change can be detected per face."""
    override = os.environ.get("FACE_TEMPLATE_VERSION")
    if override:
        return override
    manifest = json.loads((Path(pipeline.__file__).with_name("manifest.json")).read_text())
    models = manifest["models"]
    entries = models.values() if isinstance(models, dict) else models
    recognition = next(m for m in entries if m.get("name") == "recognition" or m.get("role") == "recognition")
    return recognition["sha256"][:12]


def rect_text(face: pipeline.FaceAnalysis) -> str:
    b = face.box
    return f"{int(round(b.left))},{int(round(b.top))},{int(round(b.width))},{int(round(b.height))}"


def template_for_new_face(
    image: np.ndarray, target_face: tuple[int, int, int, int] | None, quality_override: bool = False
) -> pipeline.FaceAnalysis:
    check_quality = get_settings().enrollment_quality_filter and not quality_override
    faces = pipeline.analyze(
        image, want_embedding=True, attributes=QUALITY_ATTRIBUTES if check_quality else frozenset()
    )
    faces = [f for f in faces if min(f.box.width, f.box.height) >= MIN_FACE]
    if target_face is not None:
        faces = [f for f in faces if _iou((f.box.left, f.box.top, f.box.width, f.box.height), target_face) >= 0.3]
        if not faces:
            raise invalid_image("There is no face in the specified targetFace rectangle.")
        if len(faces) > 1:
            raise invalid_image("There is more than one face in the specified targetFace rectangle.")
    elif not faces:
        raise invalid_image("There is no face in the image.")
    elif len(faces) > 1:
        raise invalid_image("There is more than 1 face in the image; use targetFace to choose one.")
    face = faces[0]
    if max(face.box.width, face.box.height) > MAX_FACE:
        raise invalid_image("The face is too large; faces from 36x36 to 4096x4096 pixels are accepted.")
    if check_quality and face.attributes.get("qualityForRecognition") == "low":
        reasons = quality_problems(face) or ["the face would not be recognised reliably"]
        raise ApiError(
            400, "LowQualityForRecognition",
            "The face's quality for recognition is low: " + "; ".join(reasons)
            + ". Take another photo, or an admin may enroll it with overrideQualityCheck=true.",
        )
    return face
