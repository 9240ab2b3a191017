"""68-point landmarks (iBUG 300-W layout) from fr_landmark.onnx, and Azure's 27 named landmarks.

The model sees a grey 64x64 crop of the detector's square box, pixel values / 256 (as in the
pack's lib/fr_landmark.js). The crop is made twice: the first points give the face's extent,
and the second crop frames that extent the way the pack's JS pipeline frames faces on average
(side 1.13 x the points' extent, centre 0.088 side above theirs, measured on the labelled
photos), so that where the detector put its box matters less. Moving the detector's square by
8 % of its side and scaling it by 10 % (random, 4 draws per labelled photo) then changes the
template by cosine 0.977 at the 5th percentile instead of 0.904.
"""
from __future__ import annotations

import cv2
import numpy as np

from .align import square_crop
from .detector import FaceBox, model_square
from .sessions import run

SIZE = 64
REFRAME_SIDE = 1.13
REFRAME_SHIFT_X, REFRAME_SHIFT_Y = 0.008, -0.088


def _points(image_bgr: np.ndarray, cx: float, cy: float, side: float) -> np.ndarray:
    crop = square_crop(image_bgr, cx, cy, side, SIZE)
    # Proper BGR -> grey. (The JS converts RGBA as if it were BGR, swapping the R and B weights;
    # on the labelled photos the two give the same verification results.)
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY).astype(np.float32) * (1.0 / 256.0)
    (out,) = run("landmarks68", grey[None, None])
    points = out.reshape(68, 2) * side + np.array([cx - side / 2, cy - side / 2], dtype=np.float32)
    return points.astype(np.float32)


def landmarks68(image_bgr: np.ndarray, box: FaceBox) -> np.ndarray:
    """(68, 2) float32 in image pixels."""
    points = _points(image_bgr, *model_square(box))
    (x1, y1), (x2, y2) = points.min(axis=0), points.max(axis=0)
    side = float(max(x2 - x1, y2 - y1)) * REFRAME_SIDE
    if side < 4:
        return points
    cx = float(x1 + x2) / 2 + REFRAME_SHIFT_X * side
    cy = float(y1 + y2) / 2 + REFRAME_SHIFT_Y * side
    return _points(image_bgr, cx, cy, side)


def five_points(p: np.ndarray) -> np.ndarray:
    """Eye centres, nose tip and mouth corners, as lib/fr_feature.js (convert68pts5pts) makes them."""
    left_eye = p[[37, 38, 40, 41]].mean(axis=0)
    right_eye = p[[43, 44, 46, 47]].mean(axis=0)
    nose = p[30]
    mouth_left = (p[48] + p[60]) / 2
    mouth_right = (p[54] + p[64]) / 2
    return np.stack([left_eye, right_eye, nose, mouth_left, mouth_right]).astype(np.float32)


def _pt(p: np.ndarray) -> dict[str, float]:
    return {"x": round(float(p[0]), 1), "y": round(float(p[1]), 1)}


def azure_landmarks(p: np.ndarray) -> dict[str, dict[str, float]]:
    """Azure's 27 landmarks from the 68 iBUG points.

    'Left' is the image's left, as in Azure (pupilLeft has the smaller x in a frontal photo); iBUG
    numbers points from the image's left too (36-41 the left-hand eye, 17-21 its brow). Points
    Azure has and iBUG lacks are interpolated: the nose root sits between the inner eye corners
    and the bridge top (27); the alar tops halfway up from the nostril wings (31, 35) to the
    bridge (29)."""
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
