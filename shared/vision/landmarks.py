"""68-point landmarks (iBUG layout) and their mapping to Azure's 27 named landmarks."""
from __future__ import annotations

import cv2
import numpy as np

from .detector import FaceBox
from .sessions import run

SIZE = 64


def landmarks68(image_bgr: np.ndarray, box: FaceBox) -> np.ndarray:
    """(68, 2) float32 in image pixels. The model sees the box itself, grey, 64x64, scaled by 1/256."""
    height, width = image_bgr.shape[:2]
    x1, y1 = int(max(0, box.left)), int(max(0, box.top))
    x2, y2 = int(min(width, box.left + box.width)), int(min(height, box.top + box.height))
    crop = image_bgr[y1:y2, x1:x2]
    # The pack's JavaScript reads RGBA and converts "BGR" to grey, i.e. R gets B's weight; match it.
    grey = cv2.cvtColor(cv2.resize(crop, (SIZE, SIZE), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    (out,) = run("landmarks68", (grey.astype(np.float32) / 256.0)[None, None])
    points = out.reshape(68, 2)
    return (points * np.array([x2 - x1, y2 - y1], dtype=np.float32) + np.array([x1, y1], dtype=np.float32)).astype(np.float32)


def five_points(p: np.ndarray) -> np.ndarray:
    """Eye centres, nose tip and mouth corners, as the pack's feature model was trained with."""
    left_eye = p[[37, 38, 40, 41]].mean(axis=0)
    right_eye = p[[43, 44, 46, 47]].mean(axis=0)
    nose = p[30]
    mouth_left = (p[48] + p[60]) / 2
    mouth_right = (p[54] + p[64]) / 2
    return np.stack([left_eye, right_eye, nose, mouth_left, mouth_right]).astype(np.float32)


def _pt(p: np.ndarray) -> dict[str, float]:
    return {"x": round(float(p[0]), 1), "y": round(float(p[1]), 1)}


def azure_landmarks(p: np.ndarray) -> dict[str, dict[str, float]]:
    """Azure's 27 landmarks from the 68 iBUG points. 'Left' is the image's left, as in Azure."""
    return {
        "pupilLeft": _pt(p[36:42].mean(axis=0)),
        "pupilRight": _pt(p[42:48].mean(axis=0)),
        "noseTip": _pt(p[30]),
        "mouthLeft": _pt(p[48]),
        "mouthRight": _pt(p[54]),
        "eyebrowLeftOuter": _pt(p[17]),
        "eyebrowLeftInner": _pt(p[21]),
        "eyeLeftOuter": _pt(p[36]),
        "eyeLeftTop": _pt((p[37] + p[38]) / 2),
        "eyeLeftBottom": _pt((p[40] + p[41]) / 2),
        "eyeLeftInner": _pt(p[39]),
        "eyebrowRightInner": _pt(p[22]),
        "eyebrowRightOuter": _pt(p[26]),
        "eyeRightInner": _pt(p[42]),
        "eyeRightTop": _pt((p[43] + p[44]) / 2),
        "eyeRightBottom": _pt((p[46] + p[47]) / 2),
        "eyeRightOuter": _pt(p[45]),
        "noseRootLeft": _pt(p[27] + (p[39] - p[27]) * 0.3),
        "noseRootRight": _pt(p[27] + (p[42] - p[27]) * 0.3),
        "noseLeftAlarTop": _pt(p[31] + (p[29] - p[31]) * 0.5),
        "noseRightAlarTop": _pt(p[35] + (p[29] - p[35]) * 0.5),
        "noseLeftAlarOutTip": _pt(p[31]),
        "noseRightAlarOutTip": _pt(p[35]),
        "upperLipTop": _pt(p[51]),
        "upperLipBottom": _pt(p[62]),
        "underLipTop": _pt(p[66]),
        "underLipBottom": _pt(p[57]),
    }
