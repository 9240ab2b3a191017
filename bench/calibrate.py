#!/usr/bin/env python3
"""Calibrate verification confidence on identity-labelled photos and write shared/vision/calibration.json.

    python bench/calibrate.py [--testdata ../shared/testdata] [--dry-run]

Every pair of faces from the labelled sets is scored (cosine of templates). A logistic curve
confidence = 1 / (1 + exp(-slope * (cos - threshold))) is fitted by maximum likelihood with
genuine and impostor pairs weighted equally and a small ridge on the slope (the sets are
separable, so an unpenalised fit would make the curve a step). Then the threshold is moved,
if needed, to the middle of the gap between the highest impostor and the lowest genuine score
(biased toward refusing, as access control wants), so 0.5 is the decision point. Prints the
distributions and the false-accept / false-reject rates at confidence 0.5.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shared.vision import pipeline  # noqa: E402
from shared.vision.calibration import CALIBRATION  # noqa: E402


def labelled_images(testdata: Path) -> list[tuple[str, Path]]:
    items = [(re.sub(r"\d+$", "", p.stem), p) for p in sorted((testdata / "azure-face-samples").glob("Family*.jpg"))]
    items += [(p.parent.name, p) for p in sorted((testdata / "faceapi-bbt").glob("*/*.png"))]
    items += [(p.parent.name, p) for p in sorted((testdata / "face-recognition-lib/knn_examples/train").glob("*/*"))]
    return items


def fit(scores: np.ndarray, labels: np.ndarray, ridge: float = 1e-3) -> tuple[float, float]:
    """Newton's method on the balanced, ridge-penalised logistic log-likelihood; returns (threshold, slope)."""
    weights = np.where(labels == 1, 0.5 / labels.sum(), 0.5 / (1 - labels).sum())
    a, b = 10.0, -4.0  # logit = a * s + b
    for _ in range(100):
        z = a * scores + b
        p = 1 / (1 + np.exp(-z))
        grad = np.array([np.sum(weights * (p - labels) * scores) + ridge * a, np.sum(weights * (p - labels))])
        w = weights * p * (1 - p)
        hess = np.array([[np.sum(w * scores * scores) + ridge, np.sum(w * scores)], [np.sum(w * scores), np.sum(w)]])
        step = np.linalg.solve(hess, grad)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-9:
            break
    return float(-b / a), float(a)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--testdata", type=Path, default=REPO.parent / "shared" / "testdata")
    parser.add_argument("--dry-run", action="store_true", help="print, don't write calibration.json")
    args = parser.parse_args()

    names, vectors, skipped = [], [], []
    for who, path in labelled_images(args.testdata):
        image = cv2.imread(str(path))
        faces = pipeline.analyze(image, want_embedding=True) if image is not None else []
        if not faces:
            skipped.append(path.name)
            continue
        names.append(who)
        vectors.append(faces[0].embedding)  # the largest face is the labelled person
    matrix = np.stack(vectors)
    labels_arr = np.array(names)
    iu = np.triu_indices(len(names), 1)
    scores = (matrix @ matrix.T)[iu]
    same = (labels_arr[iu[0]] == labels_arr[iu[1]]).astype(np.float64)
    genuine, impostor = scores[same == 1], scores[same == 0]
    print(f"faces: {len(names)} of {len(names) + len(skipped)} images, {len(set(names))} identities; "
          f"no face found in: {', '.join(skipped) or 'none'}")
    print(f"pairs: {len(genuine)} genuine, {len(impostor)} impostor")
    for label, s in (("genuine", genuine), ("impostor", impostor)):
        print(f"  {label:8s} cosine: min {s.min():.3f}  p5 {np.percentile(s, 5):.3f}  median {np.median(s):.3f}  "
              f"p95 {np.percentile(s, 95):.3f}  max {s.max():.3f}")

    threshold, slope = fit(scores, same)
    print(f"logistic fit: threshold {threshold:.3f}, slope {slope:.1f}")
    if impostor.max() < genuine.min():
        # separable sample: put 0.5 in the gap, nearer the genuine side (refuse when in doubt)
        gap_threshold = impostor.max() + 0.6 * (genuine.min() - impostor.max())
        print(f"the sample is separable (impostor max {impostor.max():.3f} < genuine min {genuine.min():.3f}); "
              f"threshold moved into the gap: {gap_threshold:.3f}")
        threshold = float(gap_threshold)

    conf = 1 / (1 + np.exp(-slope * (scores - threshold)))
    far = float((conf[same == 0] >= 0.5).mean())
    frr = float((conf[same == 1] < 0.5).mean())
    same_photo = 1 / (1 + np.exp(-slope * (1.0 - threshold)))
    print(f"at confidence 0.5 (cosine {threshold:.3f}): false accepts {far:.4f} ({int(far * len(impostor))}/"
          f"{len(impostor)}), false rejects {frr:.4f} ({int(round(frr * len(genuine)))}/{len(genuine)}); "
          f"identical template -> {same_photo:.4f}")
    result = {
        "threshold": round(threshold, 4),
        "slope": round(slope, 3),
        "measured": {
            "identities": len(set(names)), "faces": len(names), "genuine_pairs": int(len(genuine)),
            "impostor_pairs": int(len(impostor)), "false_accept_rate": round(far, 5), "false_reject_rate": round(frr, 5),
            "genuine_min": round(float(genuine.min()), 4), "impostor_max": round(float(impostor.max()), 4),
        },
        "command": "python bench/calibrate.py",
    }
    if not args.dry_run:
        CALIBRATION.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {CALIBRATION.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
