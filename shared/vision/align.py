"""5-point similarity alignment to the ArcFace 112x112 reference."""
from __future__ import annotations

import cv2
import numpy as np

REFERENCE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    dtype=np.float32,
)
SIZE = 112


def aligned_face(image_bgr: np.ndarray, points5: np.ndarray) -> np.ndarray:
    """112x112 BGR crop; the similarity transform (rotation, uniform scale, shift) fits all 5 points."""
    matrix, _ = cv2.estimateAffinePartial2D(points5, REFERENCE, method=cv2.LMEDS)
    if matrix is None:  # degenerate points: fall back to the eyes and nose only
        matrix = cv2.getAffineTransform(points5[:3], REFERENCE[:3])
    return cv2.warpAffine(image_bgr, matrix, (SIZE, SIZE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
