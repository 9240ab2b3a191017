"""Face attributes in Azure's JSON shapes: headPose, blur, exposure, noise, qualityForRecognition.

headPose comes from the pose model; blur, exposure and noise are measured on the aligned face
(the same 112x112 crop the recogniser sees), so they describe what recognition will get.
"""
from __future__ import annotations

import cv2
import numpy as np

from .detector import FaceBox
from .sessions import run

_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
_BINS = np.arange(66, dtype=np.float32)

# Sharpness = variance of the Laplacian of the contrast-normalised aligned face, so that a dark
# photo is not mistaken for a blurred one. Measured on the Azure sample portraits: 0.14..1.0 sharp,
# 0.01..0.12 after a 2-pixel Gaussian blur, < 0.03 after a 4-pixel one. Blur value 0 at SHARP,
# 1 at BLURRED, on a log scale between.
SHARP, BLURRED = 0.25, 0.015


def head_pose(image_bgr: np.ndarray, box: FaceBox) -> dict[str, float]:
    """Degrees; yaw > 0 when the face turns toward the image's right, pitch > 0 looking up."""
    height, width = image_bgr.shape[:2]
    pad_w, pad_h = box.width / 4, box.height / 4
    x1, y1 = int(max(0, box.left - pad_w)), int(max(0, box.top - pad_h))
    x2, y2 = int(min(width, box.left + box.width + pad_w)), int(min(height, box.top + box.height + pad_h))
    crop = cv2.resize(image_bgr[y1:y2, x1:x2], (224, 224), interpolation=cv2.INTER_AREA)[:, :, ::-1]
    x = ((crop.astype(np.float32) / 255.0 - _MEAN) / _STD).transpose(2, 0, 1)[None]
    yaw_logits, pitch_logits, roll_logits = run("pose", np.ascontiguousarray(x))

    def angle(logits: np.ndarray) -> float:
        p = np.exp(logits[0] - logits[0].max())
        p /= p.sum()
        return float((p * _BINS).sum() * 3 - 99)

    return {"pitch": round(angle(pitch_logits), 1), "roll": round(angle(roll_logits), 1), "yaw": round(angle(yaw_logits), 1)}


def _grey(aligned_bgr: np.ndarray) -> np.ndarray:
    # the central part of the aligned face: skin, eyes, nose, mouth; little background
    return cv2.cvtColor(aligned_bgr, cv2.COLOR_BGR2GRAY)[16:104, 16:96]


def blur(aligned_bgr: np.ndarray) -> dict:
    grey = _grey(aligned_bgr).astype(np.float32)
    grey = (grey - grey.mean()) / (grey.std() + 1e-6)
    sharpness = max(float(cv2.Laplacian(grey, cv2.CV_32F).var()), 1e-6)
    value = float(np.clip(np.log(SHARP / sharpness) / np.log(SHARP / BLURRED), 0.0, 1.0))
    level = "low" if value < 0.25 else ("medium" if value < 0.75 else "high")
    return {"blurLevel": level, "value": round(value, 2)}


def exposure(aligned_bgr: np.ndarray) -> dict:
    value = float(_grey(aligned_bgr).mean() / 255.0)
    level = "underExposure" if value < 0.25 else ("goodExposure" if value < 0.75 else "overExposure")
    return {"exposureLevel": level, "value": round(value, 2)}


def noise(aligned_bgr: np.ndarray) -> dict:
    grey = _grey(aligned_bgr).astype(np.float32)
    residual = grey - cv2.medianBlur(grey.astype(np.uint8), 3).astype(np.float32)
    # median absolute deviation of the fine residual, robust to edges; ~25 grey levels is very noisy
    sigma = float(np.median(np.abs(residual - np.median(residual))) * 1.4826)
    value = float(np.clip(sigma / 25.0, 0.0, 1.0))
    level = "low" if value < 0.3 else ("medium" if value < 0.7 else "high")
    return {"noiseLevel": level, "value": round(value, 2)}


def quality_for_recognition(box: FaceBox, blur_: dict, exposure_: dict, pose: dict) -> str:
    """Azure recommends >= 200x200 faces, frontal, sharp and evenly lit for reliable recognition."""
    size = min(box.width, box.height)
    turned = max(abs(pose["yaw"]), abs(pose["pitch"]))
    if size < 50 or blur_["blurLevel"] == "high" or exposure_["exposureLevel"] != "goodExposure" or turned > 40:
        return "low"
    if size >= 100 and blur_["blurLevel"] == "low" and turned <= 20:
        return "high"
    return "medium"


def mask() -> dict:
    """No model in the pack detects masks, so the answer is Azure's explicit "uncertain";
    noseAndMouthCovered is required by the schema and carries no information then."""
    return {"type": "uncertain", "noseAndMouthCovered": False}
