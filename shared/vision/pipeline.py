"""The public face pipeline. The caller decodes the image (BGR, EXIF orientation applied); this is
detect -> 68 landmarks -> 5-point alignment -> 512-d template, plus the attributes asked for.

Each step is a small module with one model (detector, landmarks, align + embedder, attributes);
sessions are made on first use and shared by threads. See docs/vision.md for measurements.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import attributes as attrs
from .align import aligned_face
from .calibration import confidence_from_similarity, similarity
from .detector import FaceBox, as_bgr, detect_boxes
from .embedder import embed
from .landmarks import azure_landmarks, five_points, landmarks68

__all__ = [
    "FaceBox", "FaceAnalysis", "SUPPORTED_ATTRIBUTES", "analyze", "detect_boxes", "azure_landmarks",
    "similarity", "confidence_from_similarity", "warm_up",
]

# "mask" has no model: it answers Azure's explicit "uncertain" (see attributes.mask).
SUPPORTED_ATTRIBUTES = frozenset({"headPose", "blur", "exposure", "noise", "qualityForRecognition", "mask"})
_MEASURED_ON_ALIGNED = frozenset({"blur", "exposure", "noise", "qualityForRecognition"})
_NEEDS_POSE = frozenset({"headPose", "qualityForRecognition"})


@dataclass
class FaceAnalysis:
    box: FaceBox
    landmarks68: np.ndarray | None      # (68, 2) float32, image coordinates
    embedding: np.ndarray | None        # (512,) float32, L2-normalised
    attributes: dict[str, object] = field(default_factory=dict)  # only those asked for, Azure JSON shapes


def _attributes(image_bgr, box, points, aligned, wanted: frozenset[str]) -> dict[str, object]:
    found: dict[str, object] = {}
    pose = attrs.head_pose(image_bgr, box, points) if wanted & _NEEDS_POSE else None
    if "headPose" in wanted:
        found["headPose"] = pose
    if wanted & _MEASURED_ON_ALIGNED:
        blur, exposure, noise = attrs.blur(aligned), attrs.exposure(aligned), attrs.noise(aligned)
        if "blur" in wanted:
            found["blur"] = blur
        if "exposure" in wanted:
            found["exposure"] = exposure
        if "noise" in wanted:
            found["noise"] = noise
        if "qualityForRecognition" in wanted:
            found["qualityForRecognition"] = attrs.quality_for_recognition(box, blur, exposure, noise, pose)
    if "mask" in wanted:
        found["mask"] = attrs.mask()
    return found


def analyze(
    image_bgr: np.ndarray,
    *,
    max_faces: int = 100,
    want_landmarks: bool = False,
    want_embedding: bool = False,
    attributes: frozenset[str] = frozenset(),
) -> list[FaceAnalysis]:
    """Every face, largest first (at most max_faces), with only what was asked for computed."""
    unknown = set(attributes) - SUPPORTED_ATTRIBUTES
    if unknown:
        raise ValueError(f"unsupported attributes: {sorted(unknown)}")
    wanted = frozenset(attributes)
    image_bgr = as_bgr(image_bgr)
    need_points = want_landmarks or want_embedding or bool(wanted - {"mask"})
    need_aligned = want_embedding or bool(wanted & _MEASURED_ON_ALIGNED)
    results = []
    for box in detect_boxes(image_bgr, max_faces):
        points = landmarks68(image_bgr, box) if need_points else None
        aligned = aligned_face(image_bgr, five_points(points)) if need_aligned else None
        results.append(FaceAnalysis(
            box=box,
            landmarks68=points if want_landmarks else None,
            embedding=embed(aligned) if want_embedding else None,
            attributes=_attributes(image_bgr, box, points, aligned, wanted) if wanted else {},
        ))
    return results


def warm_up() -> None:
    """Create every session now (cold start) rather than on the first request."""
    image = np.full((240, 320, 3), 127, dtype=np.uint8)
    from .sessions import session
    from .detector import free_input_size

    session("detector", free_input_size)
    for name in ("landmarks68", "recognition", "pose"):
        session(name)
    analyze(image, want_embedding=True, attributes=frozenset({"headPose"}))
