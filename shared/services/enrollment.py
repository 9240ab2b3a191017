"""Turning an enrollment photo into one template: exactly one face, or the one in targetFace."""
from __future__ import annotations

import numpy as np

from ..api.errors import invalid_image
from ..vision import pipeline

MIN_FACE, MAX_FACE = 36, 4096


def _iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def template_for_new_face(image: np.ndarray, target_face: tuple[int, int, int, int] | None) -> np.ndarray:
    faces = pipeline.analyze(image, want_embedding=True)
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
    return face.embedding
