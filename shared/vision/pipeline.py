"""The public face pipeline: decode is done by the caller; this is detect -> 68 landmarks ->
5-point alignment -> 512-d template, plus the attributes asked for."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import attributes as attrs
from .align import aligned_face
from .calibration import confidence_from_similarity, similarity
from .detector import FaceBox, detect_boxes
from .embedder import embed
from .landmarks import azure_landmarks, five_points, landmarks68

__all__ = [
    "FaceBox", "FaceAnalysis", "SUPPORTED_ATTRIBUTES", "analyze", "detect_boxes", "azure_landmarks",
    "similarity", "confidence_from_similarity",
]

SUPPORTED_ATTRIBUTES = frozenset({"headPose", "blur", "exposure", "noise", "qualityForRecognition", "mask"})
_NEEDS_ALIGNMENT = frozenset({"blur", "exposure", "noise", "qualityForRecognition"})


@dataclass
class FaceAnalysis:
    box: FaceBox
    landmarks68: np.ndarray | None
    embedding: np.ndarray | None
    attributes: dict[str, object] = field(default_factory=dict)


def analyze(
    image_bgr: np.ndarray,
    *,
    max_faces: int = 100,
    want_landmarks: bool = False,
    want_embedding: bool = False,
    attributes: frozenset[str] = frozenset(),
) -> list[FaceAnalysis]:
    """Every face, largest first, with only what was asked for computed."""
    results = []
    for box in detect_boxes(image_bgr, max_faces):
        need_points = want_landmarks or want_embedding or bool(attributes & _NEEDS_ALIGNMENT)
        points = landmarks68(image_bgr, box) if need_points else None
        aligned = aligned_face(image_bgr, five_points(points)) if points is not None and (
            want_embedding or attributes & _NEEDS_ALIGNMENT) else None
        found: dict[str, object] = {}
        if attributes:
            pose = attrs.head_pose(image_bgr, box) if attributes & {"headPose", "qualityForRecognition"} else None
            if "headPose" in attributes:
                found["headPose"] = pose
            if attributes & _NEEDS_ALIGNMENT:
                blur, exposure = attrs.blur(aligned), attrs.exposure(aligned)
                if "blur" in attributes:
                    found["blur"] = blur
                if "exposure" in attributes:
                    found["exposure"] = exposure
                if "noise" in attributes:
                    found["noise"] = attrs.noise(aligned)
                if "qualityForRecognition" in attributes:
                    found["qualityForRecognition"] = attrs.quality_for_recognition(box, blur, exposure, pose)
            if "mask" in attributes:
                found["mask"] = attrs.mask()
        results.append(FaceAnalysis(
            box=box,
            landmarks68=points if want_landmarks else None,
            embedding=embed(aligned) if want_embedding else None,
            attributes=found,
        ))
    return results
