"""512-d face template from an aligned 112x112 face, L2-normalised."""
from __future__ import annotations

import numpy as np

from .sessions import run


def embed(aligned_bgr: np.ndarray) -> np.ndarray:
    rgb = aligned_bgr[:, :, ::-1].astype(np.float32)
    (out,) = run("recognition", np.ascontiguousarray(((rgb - 127.0) / 128.0).transpose(2, 0, 1)[None]))
    vector = out[0].astype(np.float32)
    return vector / max(float(np.linalg.norm(vector)), 1e-12)
