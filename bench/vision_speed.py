#!/usr/bin/env python3
"""Latency of the vision pipeline on this machine (single thread of requests, ORT threads from settings).

    python bench/vision_speed.py [--testdata ../shared/testdata] [--runs 50]

Prints p50 / p95 in milliseconds for:
  * JPEG decode (cv2.imdecode) of each photo;
  * detect_boxes;
  * analyze(want_embedding=True)  (detect + 68 landmarks + alignment + template per face);
  * decode + analyze(want_embedding=True), the work of a detect call with returnFaceId;
  * analyze with the quality attributes too;
on a ~1000 px one-face JPEG (detection2.jpg, 1000x667), the four-face family photo
(identification1.jpg, 800x534) and a 1920x1080 one-face photo (obama-1080p.jpg), plus the cold
start: a fresh process creating every session (sha256 check + graph load) and its first call.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shared.settings import get_settings  # noqa: E402
from shared.vision import pipeline  # noqa: E402

QUALITY = frozenset({"headPose", "blur", "exposure", "noise", "qualityForRecognition"})

COLD = """
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {repo!r})
from shared.vision import pipeline
from shared.vision.sessions import session
from shared.vision.detector import free_input_size
t1 = time.perf_counter()
session("detector", free_input_size)
for name in ("landmarks68", "recognition", "pose"):
    session(name)
t2 = time.perf_counter()
import cv2
image = cv2.imread({image!r})
t3 = time.perf_counter()
pipeline.analyze(image, want_embedding=True)
t4 = time.perf_counter()
pipeline.analyze(image, want_embedding=True)
t5 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "sessions": t2 - t1, "first_call": t4 - t3, "second_call": t5 - t4}}))
"""


def timed(fn, runs: int) -> tuple[float, float]:
    for _ in range(3):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 95))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--testdata", type=Path, default=REPO.parent / "shared" / "testdata")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    settings = get_settings()
    photos = [
        ("1 face, 1000x667", args.testdata / "azure-face-samples" / "detection2.jpg"),
        ("4 faces, 800x534", args.testdata / "azure-face-samples" / "identification1.jpg"),
        ("1 face, 1920x1080", args.testdata / "face-recognition-lib" / "obama-1080p.jpg"),
    ]
    import onnxruntime

    print(f"onnxruntime {onnxruntime.__version__}, opencv {cv2.__version__}, intra-op threads "
          f"{settings.ort_intra_threads}, inter-op {settings.ort_inter_threads}, {args.runs} runs each; ms p50 / p95")

    cold = subprocess.run([sys.executable, "-c", COLD.format(repo=str(REPO), image=str(photos[0][1]))],
                          capture_output=True, text=True, check=True)
    c = json.loads(cold.stdout)
    print(f"cold start (fresh process): import {c['import'] * 1000:.0f} ms, create sessions (sha256 + load) "
          f"{c['sessions'] * 1000:.0f} ms, first analyze {c['first_call'] * 1000:.0f} ms, "
          f"second {c['second_call'] * 1000:.0f} ms")

    for label, path in photos:
        data = path.read_bytes()
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        faces = len(pipeline.detect_boxes(image))
        rows = {
            "decode": timed(lambda: cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), args.runs),
            "detect_boxes": timed(lambda: pipeline.detect_boxes(image), args.runs),
            "analyze(embedding)": timed(lambda: pipeline.analyze(image, want_embedding=True), args.runs),
            "decode + analyze(embedding)": timed(
                lambda: pipeline.analyze(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), want_embedding=True),
                args.runs),
            "analyze(embedding + quality attributes)": timed(
                lambda: pipeline.analyze(image, want_embedding=True, attributes=QUALITY), args.runs),
        }
        print(f"{label} ({path.name}, {len(data) // 1024} KB, {faces} face(s) found):")
        for name, (p50, p95) in rows.items():
            print(f"  {name:42s} {p50:6.1f} / {p95:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
