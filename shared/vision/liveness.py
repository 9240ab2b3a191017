"""Passive liveness from one frame: the pack's anti-spoofing model (MiniFASNet-style, 3 classes).

Input as in the pack's lib/fr_liveness.js: the face box scaled 2.7x about its centre (shifted to
stay inside the image), resized to 128x128, raw 0..255 pixels. Class 0 is a live face. On the
labelled frames in ../shared/testdata/liveness-samples, BGR plane order gives real 0.68 and
attacks 0.00 / 0.04, while RGB order calls the real frame an attack, so the planes are BGR.
"""
from __future__ import annotations

import cv2
import numpy as np

from .detector import FaceBox
from .sessions import run

CROP_SCALE = 2.7
SIZE = 128
# Decision thresholds on P(live), chosen on the labelled frames (see README "Liveness"): a frame
# is live at >= REAL, an attack below SPOOF, and anything between is left uncertain.
REAL, SPOOF = 0.6, 0.3


def _crop(image_bgr: np.ndarray, box: FaceBox) -> np.ndarray:
    height, width = image_bgr.shape[:2]
    scale = min((height - 1) / box.height, (width - 1) / box.width, CROP_SCALE)
    new_w, new_h = box.width * scale, box.height * scale
    cx, cy = box.left + box.width / 2, box.top + box.height / 2
    left, top, right, bottom = cx - new_w / 2, cy - new_h / 2, cx + new_w / 2, cy + new_h / 2
    if left < 0:
        right, left = right - left, 0
    if top < 0:
        bottom, top = bottom - top, 0
    if right > width - 1:
        left, right = left - (right - width + 1), width - 1
    if bottom > height - 1:
        top, bottom = top - (bottom - height + 1), height - 1
    crop = image_bgr[int(max(top, 0)) : int(bottom), int(max(left, 0)) : int(right)]
    return cv2.resize(crop, (SIZE, SIZE), interpolation=cv2.INTER_LINEAR)


def real_probability(image_bgr: np.ndarray, box: FaceBox) -> float:
    crop = _crop(image_bgr, box).astype(np.float32)
    (logits,) = run("liveness", np.ascontiguousarray(crop.transpose(2, 0, 1)[None]))
    p = np.exp(logits[0] - logits[0].max())
    return float(p[0] / p.sum())


def decide(probabilities: list[float]) -> str:
    """All frames live -> realface; any frame clearly an attack -> spoofface; else uncertain."""
    if any(p < SPOOF for p in probabilities):
        return "spoofface"
    if all(p >= REAL for p in probabilities):
        return "realface"
    return "uncertain"
