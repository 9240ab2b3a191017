#!/usr/bin/env python3
"""Liveness: decision latency per frame and error rates on the labelled frames we have.

    python bench/liveness.py [--testdata ../shared/testdata]

Labelled set: liveness-samples (image_T1 real; image_F1, image_F2 presentation attacks, from
minivision-ai/Silent-Face-Anti-Spoofing) plus, as real captures, the single-face Azure sample
portraits (photos taken of live people by a camera, not of a screen or a print). That is only two
attacks: the attack-accepted rate below says little beyond "these two are caught".
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shared.vision import liveness  # noqa: E402
from shared.vision.detector import detect_boxes  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--testdata", type=Path, default=REPO.parent / "shared" / "testdata")
    args = parser.parse_args()
    sample = args.testdata / "liveness-samples" / "images" / "sample"
    labelled = [(sample / "image_T1.jpg", "real"), (sample / "image_F1.jpg", "attack"), (sample / "image_F2.jpg", "attack")]
    labelled += [(p, "real") for p in sorted((args.testdata / "azure-face-samples").glob("Family*.jpg"))]

    decisions: dict[str, list[str]] = {"real": [], "attack": []}
    model_ms, frame_ms = [], []
    for path, label in labelled:
        image = cv2.imread(str(path))
        liveness.real_probability(image, detect_boxes(image)[0])  # warm
        for _ in range(10):
            start = time.perf_counter()
            box = detect_boxes(image)[0]
            mid = time.perf_counter()
            p = liveness.real_probability(image, box)
            end = time.perf_counter()
            frame_ms.append((end - start) * 1000)
            model_ms.append((end - mid) * 1000)
        decision = liveness.decide([p])
        decisions[label].append(decision)
        print(f"{path.name:28s} {label:6s} P(live) {p:.3f} -> {decision}")

    attacks, reals = decisions["attack"], decisions["real"]
    accepted = sum(d == "realface" for d in attacks)
    rejected = sum(d == "spoofface" for d in reals)
    uncertain = sum(d == "uncertain" for d in reals)
    q = lambda xs, pct: sorted(xs)[int(len(xs) * pct) - 1]  # noqa: E731
    print(f"\nthresholds: realface if P(live) >= {liveness.REAL}, spoofface if < {liveness.SPOOF}, else uncertain")
    print(f"attacks accepted as realface: {accepted}/{len(attacks)}")
    print(f"real faces rejected as spoofface: {rejected}/{len(reals)} (and {uncertain} uncertain)")
    print(f"per frame, liveness model only: p50 {statistics.median(model_ms):.1f} ms, p95 {q(model_ms, 0.95):.1f} ms")
    print(f"per frame, detection + liveness: p50 {statistics.median(frame_ms):.1f} ms, p95 {q(frame_ms, 0.95):.1f} ms "
          f"(target <= 30 ms)")
    print("command: python bench/liveness.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
