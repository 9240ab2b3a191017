"""Cosine similarity -> a 0..1 confidence whose 0.5 is the same-person decision point.

A logistic curve fitted by bench/calibrate.py on identity-labelled photos (../shared/testdata);
the fitted slope and threshold live in calibration.json beside this file.
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


def confidence_from_similarity(similarity):
    threshold, slope = parameters()
    value = 1.0 / (1.0 + np.exp(-slope * (np.asarray(similarity, dtype=np.float64) - threshold)))
    return float(value) if np.ndim(value) == 0 else value


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))
