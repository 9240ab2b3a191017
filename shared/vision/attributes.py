"""Face attributes in Azure's JSON shapes: headPose, blur, exposure, noise, qualityForRecognition
(and mask, which has no model and answers "uncertain").

headPose comes from the pose model and the landmarks; blur, exposure and noise are measured on
the aligned 112x112 face (the crop the recogniser sees), so they describe what recognition gets.
Every constant below was chosen on ../shared/testdata (see docs/vision.md): the sample portraits
must come out sharp, well exposed and quiet, and blurred / darkened / noisy copies must not.
"""
from __future__ import annotations

import cv2
import numpy as np

from .align import square_crop
from .detector import FaceBox, model_square
from .sessions import run

# pose model input: ImageNet mean / std on RGB, 66 bins of 3 degrees from -99
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
_BINS = np.arange(66, dtype=np.float32)
POSE_MARGIN = 0.3  # HopeNet's training crops use a random margin k in 0.2..0.4

# Sharpness = variance of the Laplacian of the contrast-normalised aligned face, so that a dark
# photo is not mistaken for a blurred one. Blur value 0 at SHARP, 1 at BLURRED, log scale between.
# Measured: sample portraits 0.00 (median) .. 0.24 (p90); a Gaussian blur of sigma 1 -> 0.34
# (medium), sigma 2 -> 0.80 (high).
SHARP, BLURRED = 0.25, 0.015

# Noise: see noise().
_NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
NOISE_FLOOR, NOISE_SPAN = 1.5, 12.0

# qualityForRecognition. Face size (the rectangle's side): the template of a face shrunk to 48 px
# still agrees with the full-size one at cosine >= 0.83 (p10 0.89); from 100 px on it no longer
# changes (>= 0.98), so 100 px is "high" here although Azure advises 200x200 for enrollment photos.
LOW_SIZE, HIGH_SIZE = 48, 100
LOW_TURN, HIGH_TURN = 40, 20  # degrees of |yaw| or |pitch|


def _pose_crop(image_bgr: np.ndarray, points68: np.ndarray, k: float = POSE_MARGIN) -> np.ndarray:
    """The crop the pose model (a HopeNet-style 66-bin regressor) was trained on: the landmarks'
    extent widened by 0.6k on the sides and below and 2k above, the short side scaled to 240 and
    the centre 224x224 kept."""
    (x1, y1), (x2, y2) = points68.min(axis=0), points68.max(axis=0)
    w, h = max(float(x2 - x1), 1.0), max(float(y2 - y1), 1.0)
    x1, x2 = x1 - 0.6 * k * w, x2 + 0.6 * k * w
    y1, y2 = y1 - 2.0 * k * h, y2 + 0.6 * k * h
    cw, ch = x2 - x1, y2 - y1
    scale = 240.0 / min(cw, ch)
    # the 224x224 window of the scaled crop, mapped back to image pixels
    side = 224.0 / scale
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return square_crop(image_bgr, cx, cy, side, 224)


def head_pose(image_bgr: np.ndarray, box: FaceBox, points68: np.ndarray | None = None) -> dict[str, float]:
    """Degrees. yaw > 0 when the face turns toward the image's right (the person's own left),
    pitch > 0 when it looks up, roll > 0 when it leans clockwise in the image.

    yaw and pitch come from fr_pose.onnx (66 bins of 3 degrees, softmax expectation, as in
    lib/fr_pose.js), fed as RGB planes with ImageNet mean/std. Its crop matters most: the JS's
    (detector box widened by half) makes yaw jump by 14 degrees on average between crops 1.2x and
    1.8x the box; the HopeNet training crop made from the landmarks (see _pose_crop) moves it by
    1.4, agrees with landmark geometry (yaw vs nose offset correlation 0.93 vs 0.54) and with the
    mirrored photo (|yaw + yaw_mirrored| 3.7 vs 8.5 degrees). RGB beats the JS's B,G,R planes too.
    The model's own yaw is positive toward the image's left, so it is negated.
    roll is the angle of the line through the pupils when landmarks are known: rotating photos by
    a known +-10/20 degrees, it is off by 1.6 degrees on average, the model by 3.1."""
    if points68 is not None:
        crop = _pose_crop(image_bgr, points68)
    else:
        cx, cy, side = model_square(box)
        crop = square_crop(image_bgr, cx, cy - 0.1 * side, side * 1.3, 224)
    x = ((crop[:, :, ::-1].astype(np.float32) * (1.0 / 255.0) - _MEAN) / _STD).transpose(2, 0, 1)[None]
    yaw_logits, pitch_logits, roll_logits = run("pose", np.ascontiguousarray(x))

    def angle(logits: np.ndarray) -> float:
        p = np.exp(logits[0] - logits[0].max())
        return float((p * _BINS).sum() / p.sum() * 3 - 99)

    if points68 is not None:
        left, right = points68[36:42].mean(axis=0), points68[42:48].mean(axis=0)
        roll = float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))
    else:
        roll = angle(roll_logits)
    return {"pitch": round(angle(pitch_logits), 1), "roll": round(roll, 1), "yaw": round(-angle(yaw_logits), 1)}


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
    """Immerkaer's fast noise estimate (the mean absolute response of a Laplacian-difference kernel
    that cancels smooth shading) on the aligned face, leaving out the 40 % of pixels with the
    strongest edges. Measured: clean sample portraits 1.5-4.7 grey levels (median 1.6); added
    Gaussian noise of sigma 10 / 20 / 30 reads 4.2 / 8.1 / 11.2. Value 0 at 1.5, 1 at 13.5."""
    grey = _grey(aligned_bgr).astype(np.float32)
    response = np.abs(cv2.filter2D(grey, -1, _NOISE_KERNEL))[1:-1, 1:-1]
    gradient = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))[1:-1, 1:-1]
    flat = response[gradient <= np.percentile(gradient, 60)]
    sigma = float(np.sqrt(np.pi / 2) * flat.mean() / 6.0) if flat.size else 0.0
    value = float(np.clip((sigma - NOISE_FLOOR) / NOISE_SPAN, 0.0, 1.0))
    level = "low" if value < 0.3 else ("medium" if value < 0.7 else "high")
    return {"noiseLevel": level, "value": round(value, 2)}


def quality_for_recognition(box: FaceBox, blur_: dict, exposure_: dict, noise_: dict, pose: dict) -> str:
    """low: small (< 48 px), blurred, badly exposed, very noisy or turned more than 40 degrees;
    high: >= 100 px, sharp, quiet, within 20 degrees of frontal; medium otherwise."""
    size = min(box.width, box.height)
    turned = max(abs(pose["yaw"]), abs(pose["pitch"]))
    if (size < LOW_SIZE or blur_["blurLevel"] == "high" or exposure_["exposureLevel"] != "goodExposure"
            or noise_["noiseLevel"] == "high" or turned > LOW_TURN):
        return "low"
    if size >= HIGH_SIZE and blur_["blurLevel"] == "low" and noise_["noiseLevel"] == "low" and turned <= HIGH_TURN:
        return "high"
    return "medium"


def mask() -> dict:
    """No model in the pack detects masks, so the answer is Azure's explicit "uncertain";
    noseAndMouthCovered is required by the schema and carries no information then."""
    return {"type": "uncertain", "noseAndMouthCovered": False}
