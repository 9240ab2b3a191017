"""Cosine similarity -> a 0..1 confidence whose 0.5 is the same-person decision point.

confidence = 1 / (1 + exp(-slope * (cosine - threshold))): monotone, 0.5 exactly at the
decision threshold, ~1 for identical templates. bench/calibrate.py fits both numbers on the
identity-labelled photos in ../shared/testdata (threshold: the 1e-4 upper tail of a normal fit
to the impostor similarities) and writes them to calibration.json beside this file.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

CALIBRATION = Path(__file__).with_name("calibration.json")


@lru_cache(maxsize=1)
def parameters() -> tuple[float, float]:
    data = json.loads(CALIBRATION.read_text())
    return float(data["threshold"]), float(data["slope"])


def threshold() -> float:
    """The cosine similarity at which confidence is 0.5 (the same-person decision point)."""
    return parameters()[0]


def confidence_from_similarity(similarity):
    """Vectorised: a float for a scalar, an array for an array."""
    threshold, slope = parameters()
    value = 1.0 / (1.0 + np.exp(-slope * (np.asarray(similarity, dtype=np.float64) - threshold)))
    return float(value) if np.ndim(value) == 0 else value


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two L2-normalised templates."""
    return float(np.dot(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)))
