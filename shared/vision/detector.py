"""Face detection with the pack's RFB-320 detector (fr_detect.onnx), at any image size.

The file's input is fixed at 1x3x240x320 and its graph ends in a box decoder whose priors are
constants for that size. Shrinking a 1920x1080 photo to 320x240 turns a 40-pixel face into 7
pixels, far below what the detector finds (measured on the group photos in ../shared/testdata,
detector box height in model pixels: recall 41-49 % at 10 px, 90-93 % at 16, 100 % from 18).
So the graph is loaded with a free input size and without its decoder (an edit of the ONNX bytes
in memory, after the sha256 check; see `free_input_size`), the priors are made here for each
canvas, and each image gets:

1. a "whole" pass over the image scaled into 320x240 (as the pack's JavaScript does), padded
   only to a multiple of 8 (no letterbox to 4:3): every face from WHOLE_RELIABLE_PX up;
2. when Azure's smallest face (36 px up to 1080p, proportionally more above) would measure less
   than WHOLE_RELIABLE_PX there, a "fine" pass over the image scaled so that it measures
   FINE_FACE_PX (1920x1080 -> 1184x672 canvas, 1000x667 -> 640x416). It contributes only the
   faces too small for the whole pass (see detect_boxes).

Pasted into a 1920x1080 canvas, the faces of the sample portraits at 36 / 40 px (rectangle side)
are found 97 % / 97 % of the time with FINE_FACE_PX = 22 (69 / 84 % at 18), and every face of
the group photos scaled to 36 px. One pass over a large canvas finds the same faces as 320x240
tiles of it (measured), without faces cut at tile edges, in about half the time.

Planes are fed in RGB order. The pack's JavaScript feeds B,G,R (its cvtColor(BGR2RGB) runs on
an RGBA image), but RGB finds more small faces (12 px: 66 vs 63 %, 14 px: 83 vs 76 %), and the
upstream RFB-320 (Linzaer's Ultra-Light-Fast-Generic-Face-Detector) was trained on RGB.

The decoded boxes are made square on their height about their centre (as the JS does), then
scaled by AZURE_BOX_SCALE to look like Azure's brow-to-chin rectangles, and clipped to the image.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from .modelpack import ModelPackError
from .sessions import run

NATIVE_W, NATIVE_H = 320, 240
SCORE_THRESHOLD = 0.7        # the JS uses 0.65; small faces keep 95-100 % recall at 0.7 from 18 px
CANDIDATE_THRESHOLD = 0.6    # whole-pass boxes this good can confirm a fine-pass face
WHOLE_RELIABLE_PX = 18.0     # faces this large in the whole pass are all found there (recall 100 % from 18 px)
FINE_MAX_PX = 200.0          # larger fine-pass boxes are partial faces (the largest anchor is 256 px)
CONFIRM_IOU = 0.5            # overlap for a whole-pass box to stand for a fine-pass one
NMS_IOU = 0.4
SMALLEST_FACE = 36.0         # Azure's minimum face, in image pixels, for images up to 1920x1080
FINE_FACE_PX = 22.0          # what that face measures in the fine pass (see the module docstring)
CANVAS_MULTIPLE = 8          # canvas padding; any size works (every stride-2 conv is 3x3, pad 1: ceil(n / stride))
# Azure's rectangles are square and run from the brows to the chin. The detector's box, made square
# on its height as in the pack's JS, runs from the hairline to below the chin; scaled by this factor
# about its centre it puts the eyes at ~0.28 and the mouth at ~0.74 of the height, as in Azure's
# documented examples.
AZURE_BOX_SCALE = 0.9

_MIN_SIZES = ((10, 16, 24), (32, 48), (64, 96), (128, 192, 256))
_STEPS = (8, 16, 32, 64)
_CENTER_VARIANCE, _SIZE_VARIANCE = 0.1, 0.2


@dataclass
class FaceBox:
    """A face in original-image pixels (clipped to the image), largest-first in results."""

    left: float
    top: float
    width: float
    height: float
    score: float
    # The detector's square (centre x, centre y, side) before the Azure scaling and clipping: the
    # frame the landmark and pose models were trained on. None for boxes made elsewhere.
    model_square: tuple[float, float, float] | None = field(default=None, repr=False, compare=False)


def model_square(box: FaceBox) -> tuple[float, float, float]:
    """(cx, cy, side) of the detector's square for `box` (derived from the rectangle if unknown)."""
    if box.model_square is not None:
        return box.model_square
    return box.left + box.width / 2, box.top + box.height / 2, max(box.width, box.height) / AZURE_BOX_SCALE


# --- the free-size detector graph ------------------------------------------------------------
# A minimal protocol-buffer rewrite (the `onnx` package is not a dependency): make the input
# 1x3xHxW, expose the concatenated class scores and raw box regressions as the outputs, and drop
# the nodes that only fed the fixed-size decoder. Everything else is copied byte for byte.

_SCORES, _REGRESSION = "scores", "462"   # names in fr_detect.onnx (sha256 6c0256cc...)


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _fields(buf: bytes):
    """(field number, wire type, payload of a length-delimited field or None, raw bytes) per field."""
    i = 0
    while i < len(buf):
        start = i
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        payload = None
        if wire == 0:
            _, i = _varint(buf, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            length, i = _varint(buf, i)
            payload = buf[i : i + length]
            i += length
        else:
            raise ModelPackError(f"unexpected protobuf wire type {wire} in the detector model")
        yield number, wire, payload, buf[start:i]


def _message(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | 2) + _encode_varint(len(payload)) + payload


def _value_info(name: str, dims: tuple) -> bytes:
    """ValueInfoProto{name, type: TypeProto{tensor_type{elem_type FLOAT, shape{dim...}}}}."""
    shape = b"".join(
        _message(1, _encode_varint(1 << 3) + _encode_varint(d) if isinstance(d, int) else _message(2, d.encode()))
        for d in dims
    )
    tensor = _encode_varint(1 << 3) + _encode_varint(1) + _message(2, shape)
    return _message(1, name.encode()) + _message(2, _message(1, tensor))


def _node_io(node: bytes) -> tuple[list[str], list[str]]:
    inputs, outputs = [], []
    for number, _, payload, _ in _fields(node):
        if number == 1:
            inputs.append(payload.decode())
        elif number == 2:
            outputs.append(payload.decode())
    return inputs, outputs


def _free_graph(graph: bytes) -> bytes:
    parts = list(_fields(graph))
    nodes = [(i, *_node_io(p[2])) for i, p in enumerate(parts) if p[0] == 1]
    input_names = [_fields_name(p[2]) for p in parts if p[0] == 11]
    needed, keep = {_SCORES, _REGRESSION}, set()
    for index, inputs, outputs in reversed(nodes):
        if needed.intersection(outputs):
            keep.add(index)
            needed.update(inputs)
    produced = {o for index, _, outputs in nodes if index in keep for o in outputs}
    if not {_SCORES, _REGRESSION} <= produced or "input" not in input_names:
        raise ModelPackError("fr_detect.onnx does not have the expected graph (scores, box regressions)")
    out = bytearray()
    for index, (number, _, payload, raw) in enumerate(parts):
        if number == 1 and index not in keep:
            continue
        if number in (12, 13):  # graph outputs and intermediate shapes: replaced / dropped
            continue
        if number == 11 and _fields_name(payload) == "input":
            out += _message(11, _value_info("input", (1, 3, "height", "width")))
            continue
        out += raw
    out += _message(12, _value_info(_SCORES, (1, "anchors", 2)))
    out += _message(12, _value_info(_REGRESSION, (1, "anchors", 4)))
    return bytes(out)


def _fields_name(value_info: bytes) -> str:
    for number, _, payload, _ in _fields(value_info):
        if number == 1:
            return payload.decode()
    return ""


def free_input_size(model: bytes) -> bytes:
    """fr_detect.onnx with input 1x3xHxW and outputs (scores [1,N,2], box regressions [1,N,4])."""
    out = bytearray()
    for number, _, payload, raw in _fields(model):
        out += _message(7, _free_graph(payload)) if number == 7 else raw
    return bytes(out)


# --- decoding --------------------------------------------------------------------------------

@lru_cache(maxsize=32)
def priors(width: int, height: int) -> np.ndarray:
    """(N, 4) anchors cx, cy, w, h relative to the canvas, in the network's output order."""
    rows = []
    for sizes, step in zip(_MIN_SIZES, _STEPS):
        fw, fh = math.ceil(width / step), math.ceil(height / step)
        # centres spread over the feature map (as the file's own constants are for 320x240, where
        # 240 / 32 and 240 / 64 are not whole: 0.5 / 8, not 0.5 * 32 / 240)
        cx = (np.arange(fw, dtype=np.float32) + 0.5) / fw
        cy = (np.arange(fh, dtype=np.float32) + 0.5) / fh
        gy, gx = np.meshgrid(cy, cx, indexing="ij")
        centres = np.stack([gx.ravel(), gy.ravel()], axis=1)
        for_sizes = [
            np.concatenate([centres, np.tile([[s / width, s / height]], (len(centres), 1))], axis=1) for s in sizes
        ]
        rows.append(np.stack(for_sizes, axis=1).reshape(-1, 4))
    return np.clip(np.concatenate(rows).astype(np.float32), 0.0, 1.0)


def _infer(canvas_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (x1, y1, x2, y2 in canvas pixels) and scores above the threshold."""
    height, width = canvas_rgb.shape[:2]
    x = (canvas_rgb.astype(np.float32) - 127.0) * (1.0 / 128.0)
    scores, regression = run("detector", np.ascontiguousarray(x.transpose(2, 0, 1)[None]), edit=free_input_size)
    anchors = priors(width, height)
    if len(anchors) != scores.shape[1]:
        raise ModelPackError(f"detector output has {scores.shape[1]} anchors for {width}x{height}, expected {len(anchors)}")
    score = scores[0, :, 1]
    keep = np.flatnonzero(score >= CANDIDATE_THRESHOLD)
    a, r = anchors[keep], regression[0, keep]
    centre = a[:, :2] + r[:, :2] * _CENTER_VARIANCE * a[:, 2:]
    size = a[:, 2:] * np.exp(r[:, 2:] * _SIZE_VARIANCE)
    boxes = np.concatenate([centre - size / 2, centre + size / 2], axis=1) * np.array([width, height, width, height], np.float32)
    return boxes, score[keep]


def _canvas_pass(scaled_bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Detect on an already scaled image, padded to a canvas; boxes in the scaled image's pixels."""
    h, w = scaled_bgr.shape[:2]
    cw = max(CANVAS_MULTIPLE, -(-w // CANVAS_MULTIPLE) * CANVAS_MULTIPLE)
    ch = max(CANVAS_MULTIPLE, -(-h // CANVAS_MULTIPLE) * CANVAS_MULTIPLE)
    canvas = np.full((ch, cw, 3), 127, dtype=np.uint8)  # 127 is zero after normalisation
    canvas[:h, :w] = scaled_bgr[:, :, ::-1]  # RGB planes
    return _infer(canvas)


def _nms(boxes: np.ndarray, scores: np.ndarray) -> list[int]:
    order = np.argsort(-scores, kind="stable")
    areas = np.maximum(0, boxes[:, 2] - boxes[:, 0]) * np.maximum(0, boxes[:, 3] - boxes[:, 1])
    keep: list[int] = []
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(int(i))
        xx1 = np.maximum(boxes[i, 0], boxes[rest, 0])
        yy1 = np.maximum(boxes[i, 1], boxes[rest, 1])
        xx2 = np.minimum(boxes[i, 2], boxes[rest, 2])
        yy2 = np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.maximum(0, xx2 - xx1) * np.maximum(0, yy2 - yy1)
        overlap = inter / (areas[i] + areas[rest] - inter + 1e-6)
        # the same face seen at two scales: a smaller box lying mostly inside a better one
        inside = inter / (np.minimum(areas[i], areas[rest]) + 1e-6)
        order = rest[(overlap < NMS_IOU) & (inside < 0.8)]
    return keep


def as_bgr(image: np.ndarray) -> np.ndarray:
    """The pipeline's input: uint8 HxWx3 BGR. Grey and BGRA images are converted; anything else is refused."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    raise ValueError(f"expected an HxWx3 BGR image, got shape {image.shape}")


def smallest_face(width: int, height: int) -> float:
    """Azure's minimum detectable face for an image of this size: 36 px up to 1920x1080, more above."""
    return SMALLEST_FACE * max(1.0, width / 1920, height / 1080)


def pass_scales(width: int, height: int) -> list[float]:
    whole = min(NATIVE_W / width, NATIVE_H / height)
    fine = min(1.0, FINE_FACE_PX / smallest_face(width, height))
    needed = smallest_face(width, height) * whole < WHOLE_RELIABLE_PX and fine > whole
    return [whole, fine] if needed else [whole]


def _overlaps(box: np.ndarray, others: np.ndarray) -> bool:
    if not len(others):
        return False
    xx1, yy1 = np.maximum(box[0], others[:, 0]), np.maximum(box[1], others[:, 1])
    xx2, yy2 = np.minimum(box[2], others[:, 2]), np.minimum(box[3], others[:, 3])
    inter = np.maximum(0, xx2 - xx1) * np.maximum(0, yy2 - yy1)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return bool((inter / (area + areas - inter + 1e-6) > CONFIRM_IOU).any())


def detect_boxes(image_bgr: np.ndarray, max_faces: int = 100) -> list[FaceBox]:
    """Faces in image pixels, largest first, at most `max_faces`.

    The fine pass sees textures at a scale where the whole pass sees faces: a shirt collar, a gap
    between two people, a shoulder scored 0.8-0.92 there (detection1.jpg, two_people.jpg,
    obama3.jpg), and faces larger than its anchors come out in parts. So a fine-pass box is kept
    only if it is at most FINE_MAX_PX in the fine canvas and either too small for the whole pass
    (< WHOLE_RELIABLE_PX there) or seen by the whole pass only as a candidate below the score
    threshold; a face the whole pass found is represented by the whole pass's box.
    """
    image_bgr = as_bgr(image_bgr)
    height, width = image_bgr.shape[:2]
    if max_faces <= 0 or height < 2 or width < 2:
        return []
    whole_scale = pass_scales(width, height)[0]
    passes = []  # (scale, boxes in image pixels, scores)
    source, source_scale = image_bgr, 1.0
    for scale in sorted(pass_scales(width, height), reverse=True):
        factor = scale / source_scale
        if abs(factor - 1.0) > 1e-3:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            # area averaging where it matters (strong shrinking); bilinear is 10x faster above 1/2
            scaled = cv2.resize(source, size, interpolation=cv2.INTER_AREA if factor < 0.5 else cv2.INTER_LINEAR)
        else:
            scaled = source
        boxes, scores = _canvas_pass(scaled)
        sx, sy = scaled.shape[1] / width, scaled.shape[0] / height
        passes.append((scale, boxes / np.array([sx, sy, sx, sy], np.float32), scores))
        if factor < 1:  # the next, smaller pass shrinks this copy rather than the original
            source, source_scale = scaled, scale
    whole_boxes, whole_scores = next((b, c) for s, b, c in passes if s == whole_scale)
    kept_boxes, kept_scores = [], []
    for scale, boxes, scores in passes:
        for box, score in zip(boxes, scores):
            if score < SCORE_THRESHOLD:
                continue
            if scale != whole_scale:
                side = box[3] - box[1]
                if side * scale > FINE_MAX_PX:
                    continue
                if side * whole_scale >= WHOLE_RELIABLE_PX:
                    # a face the whole pass can see: its box stands for it; the fine box is kept
                    # only when the whole pass saw it just below the threshold
                    if _overlaps(box, whole_boxes[whole_scores >= SCORE_THRESHOLD]) or not _overlaps(box, whole_boxes):
                        continue
            kept_boxes.append(box)
            kept_scores.append(score)
    if not kept_boxes:
        return []
    boxes, scores = np.stack(kept_boxes), np.array(kept_scores, dtype=np.float32)
    faces = []
    for i in _nms(boxes, scores):
        x1, y1, x2, y2 = (float(v) for v in boxes[i])
        side = y2 - y1  # square on the height, as the pack's JS does
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        half = side * AZURE_BOX_SCALE / 2
        left, top = max(0.0, cx - half), max(0.0, cy - half)
        right, bottom = min(float(width), cx + half), min(float(height), cy + half)
        if right - left >= 4 and bottom - top >= 4:
            faces.append(FaceBox(left, top, right - left, bottom - top, float(scores[i]), (cx, cy, side)))
    faces.sort(key=lambda f: f.width * f.height, reverse=True)
    return faces[:max_faces]
