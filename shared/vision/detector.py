"""RFB-320 face detector, run over the whole image and, for large images, over tiles.

The model's input is 320x240. Shrinking a 1920x1080 photo into it turns a 40-pixel face into
7 pixels, below the smallest anchor (10 px). So: one letterboxed pass over the whole image
(large faces), plus, when the smallest face Azure promises (36 px) would shrink below
MIN_FACE_IN_MODEL, overlapping 320x240 tiles of a copy scaled so that it does not; boxes from
every pass are merged by non-maximum suppression.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .sessions import run

INPUT_W, INPUT_H = 320, 240
SCORE_THRESHOLD = 0.65
NMS_IOU = 0.4
SMALLEST_FACE = 36.0         # Azure's minimum face, in image pixels (up to 1080p)
MIN_FACE_IN_MODEL = 11.0     # what that face must measure in the model's input to be found (anchors start at 10)
TILE_OVERLAP = 64            # > the largest face a tile must see whole at its scale


@dataclass
class FaceBox:
    left: float
    top: float
    width: float
    height: float
    score: float


def _prepare(pixels_bgr: np.ndarray) -> np.ndarray:
    x = (pixels_bgr.astype(np.float32) - 127.0) / 128.0
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def _infer(canvas_bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(boxes N x 4 in canvas pixels x1,y1,x2,y2; scores N) above the threshold."""
    scores, boxes = run("detector", _prepare(canvas_bgr))
    score = scores[0, :, 1]
    keep = score >= SCORE_THRESHOLD
    found = boxes[0, keep] * np.array([INPUT_W, INPUT_H, INPUT_W, INPUT_H], dtype=np.float32)
    return found, score[keep]


def _whole_image(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    height, width = image.shape[:2]
    scale = min(INPUT_W / width, INPUT_H / height)
    resized = cv2.resize(image, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    canvas = np.full((INPUT_H, INPUT_W, 3), 127, dtype=np.uint8)  # 127 is zero after normalisation
    canvas[: resized.shape[0], : resized.shape[1]] = resized
    boxes, scores = _infer(canvas)
    return boxes / scale, scores


def _tiles(image: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    height, width = image.shape[:2]
    scaled = cv2.resize(image, (max(INPUT_W, round(width * scale)), max(INPUT_H, round(height * scale))),
                        interpolation=cv2.INTER_AREA)
    sh, sw = scaled.shape[:2]
    xs = list(range(0, max(1, sw - TILE_OVERLAP), INPUT_W - TILE_OVERLAP))
    ys = list(range(0, max(1, sh - TILE_OVERLAP), INPUT_H - TILE_OVERLAP))
    all_boxes, all_scores = [], []
    for y in ys:
        for x in xs:
            x0, y0 = min(x, sw - INPUT_W), min(y, sh - INPUT_H)
            boxes, scores = _infer(scaled[y0 : y0 + INPUT_H, x0 : x0 + INPUT_W])
            if len(scores):
                all_boxes.append((boxes + np.array([x0, y0, x0, y0], dtype=np.float32)) / scale)
                all_scores.append(scores)
    if not all_scores:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
    return np.concatenate(all_boxes), np.concatenate(all_scores)


def _nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    order = np.argsort(-scores)
    areas = np.maximum(0, boxes[:, 2] - boxes[:, 0]) * np.maximum(0, boxes[:, 3] - boxes[:, 1])
    keep: list[int] = []
    while order.size:
        i = order[0]
        keep.append(int(i))
        xx1 = np.maximum(boxes[i, 0], boxes[order[1:], 0])
        yy1 = np.maximum(boxes[i, 1], boxes[order[1:], 1])
        xx2 = np.minimum(boxes[i, 2], boxes[order[1:], 2])
        yy2 = np.minimum(boxes[i, 3], boxes[order[1:], 3])
        inter = np.maximum(0, xx2 - xx1) * np.maximum(0, yy2 - yy1)
        overlap = inter / (areas[i] + areas[order[1:]] - inter + 1e-6)
        # a face found whole in one pass and cut at a tile edge in another: the smaller box lies inside
        inside = inter / (areas[order[1:]] + 1e-6)
        order = order[1:][(overlap < iou) & (inside < 0.8)]
    return keep


def detect_boxes(image_bgr: np.ndarray, max_faces: int = 100) -> list[FaceBox]:
    """Faces in image pixels, largest first."""
    height, width = image_bgr.shape[:2]
    boxes, scores = _whole_image(image_bgr)
    whole_scale = min(INPUT_W / width, INPUT_H / height)
    if SMALLEST_FACE * whole_scale < MIN_FACE_IN_MODEL:
        tile_boxes, tile_scores = _tiles(image_bgr, MIN_FACE_IN_MODEL / SMALLEST_FACE)
        boxes = np.concatenate([boxes, tile_boxes])
        scores = np.concatenate([scores, tile_scores])
    faces = []
    for i in _nms(boxes, scores, NMS_IOU):
        x1, y1, x2, y2 = boxes[i]
        # Azure's rectangles are square, brow to chin; the detector's are taller than wide.
        side = y2 - y1
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        left, top = max(0.0, cx - side / 2), max(0.0, cy - side / 2)
        right, bottom = min(width - 1.0, cx + side / 2), min(height - 1.0, cy + side / 2)
        if right - left >= 4 and bottom - top >= 4:
            faces.append(FaceBox(float(left), float(top), float(right - left), float(bottom - top), float(scores[i])))
    faces.sort(key=lambda f: f.width * f.height, reverse=True)
    return faces[:max_faces]
