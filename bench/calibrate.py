#!/usr/bin/env python3
"""Calibrate verification confidence on identity-labelled photos; write shared/vision/calibration.json.

    python bench/calibrate.py [--testdata ../shared/testdata] [--target-far 1e-4] [--dry-run]

Every pair of faces from the labelled sets is scored (cosine of the 512-d templates):
  azure-face-samples/Family{1,2,3}-<Person><n>.jpg   (identity = file name without the digits)
  faceapi-bbt/<name>/*.png                           (8 identities x 5)
  face-recognition-lib/knn_examples/train/<name>/*   (5 identities)

Decision threshold (confidence 0.5): access control wants few false accepts, and ~2,000 impostor
pairs cannot measure a false-accept rate below ~1/2,000 directly. So a normal distribution is
fitted to the impostor similarities and the threshold is put where its upper tail holds
--target-far (default 1e-4, i.e. mean + 3.72 sd). The genuine pairs are only used to report the
false-reject rate there (empirical, and from a normal fit to them), and the EER point is printed
for comparison.

Curve: confidence = 1 / (1 + exp(-slope * (cos - threshold))); the slope comes from a logistic
regression of same/different on the similarity (both classes weighted equally, a small ridge on
the slope because the sample is separable). It is only a monotone, smooth 0..1 scale: the
decision lives at 0.5, identical templates map to ~1.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from statistics import NormalDist

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


def fit_slope(scores: np.ndarray, labels: np.ndarray, ridge: float = 1e-3) -> float:
    """Newton's method on the balanced, ridge-penalised logistic log-likelihood; the slope a of a*s+b."""
    weights = np.where(labels == 1, 0.5 / labels.sum(), 0.5 / (1 - labels).sum())
    a, b = 10.0, -4.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-(a * scores + b)))
        grad = np.array([np.sum(weights * (p - labels) * scores) + ridge * a, np.sum(weights * (p - labels))])
        w = weights * p * (1 - p)
        hess = np.array([[np.sum(w * scores * scores) + ridge, np.sum(w * scores)], [np.sum(w * scores), np.sum(w)]])
        step = np.linalg.solve(hess, grad)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-9:
            break
    return float(a)


def eer(genuine: np.ndarray, impostor: np.ndarray) -> tuple[float, float]:
    best = (2.0, 0.0, 0.0)
    for t in np.unique(np.concatenate([genuine, impostor])):
        far, frr = float((impostor >= t).mean()), float((genuine < t).mean())
        if abs(far - frr) < best[0]:
            best = (abs(far - frr), (far + frr) / 2, float(t))
    return best[1], best[2]


def template(path: Path) -> np.ndarray | None:
    image = cv2.imread(str(path))
    faces = pipeline.analyze(image, want_embedding=True) if image is not None else []
    return faces[0].embedding if faces else None  # the largest face is the labelled person


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--testdata", type=Path, default=REPO.parent / "shared" / "testdata")
    parser.add_argument("--target-far", type=float, default=1e-4)
    parser.add_argument("--dry-run", action="store_true", help="print, don't write calibration.json")
    args = parser.parse_args()

    names, vectors, files, skipped = [], [], [], []
    for who, path in labelled_images(args.testdata):
        vector = template(path)
        if vector is None:
            skipped.append(path.name)
            continue
        names.append(who)
        vectors.append(vector)
        files.append(path.name)
    if not vectors:
        print(f"no labelled faces under {args.testdata}", file=sys.stderr)
        return 1
    matrix = np.stack(vectors)
    labels = np.array(names)
    iu = np.triu_indices(len(names), 1)
    scores = (matrix @ matrix.T)[iu]
    same = (labels[iu[0]] == labels[iu[1]]).astype(np.float64)
    genuine, impostor = scores[same == 1], scores[same == 0]
    print(f"faces: {len(names)} of {len(names) + len(skipped)} images, {len(set(names))} identities; "
          f"no face found in: {', '.join(skipped) or 'none'}")
    print(f"pairs: {len(genuine)} genuine, {len(impostor)} impostor")
    for label, s in (("genuine", genuine), ("impostor", impostor)):
        print(f"  {label:8s} cosine: min {s.min():.3f}  p5 {np.percentile(s, 5):.3f}  median {np.median(s):.3f}  "
              f"p95 {np.percentile(s, 95):.3f}  max {s.max():.3f}  (mean {s.mean():.3f}, sd {s.std():.3f})")
    for kind, mask, pick in (("genuine", same == 1, np.argsort), ("impostor", same == 0, lambda v: np.argsort(-v))):
        idx = np.flatnonzero(mask)
        hardest = [idx[k] for k in pick(scores[idx])[:3]]
        print(f"  hardest {kind}: " + ", ".join(f"{files[iu[0][k]]}~{files[iu[1][k]]} {scores[k]:.3f}" for k in hardest))

    impostor_fit = NormalDist(float(impostor.mean()), float(impostor.std()))
    genuine_fit = NormalDist(float(genuine.mean()), float(genuine.std()))
    threshold = impostor_fit.inv_cdf(1 - args.target_far)
    slope = fit_slope(scores, same)
    eer_rate, eer_threshold = eer(genuine, impostor)
    print(f"EER {eer_rate:.4f} at cosine {eer_threshold:.3f} (for comparison)")
    print(f"threshold: impostor normal fit, upper tail {args.target_far:g} -> cosine {threshold:.3f}; "
          f"logistic slope {slope:.2f}")

    confidence = 1 / (1 + np.exp(-slope * (scores - threshold)))
    far = float((confidence[same == 0] >= 0.5).mean())
    frr = float((confidence[same == 1] < 0.5).mean())
    modelled_frr = genuine_fit.cdf(threshold)
    print(f"at confidence 0.5 (cosine {threshold:.3f}): false accepts {far:.4f} "
          f"({int(round(far * len(impostor)))}/{len(impostor)}), false rejects {frr:.4f} "
          f"({int(round(frr * len(genuine)))}/{len(genuine)}); modelled FAR {args.target_far:g}, "
          f"modelled FRR {modelled_frr:.4f}")

    def conf(s: float) -> float:
        return float(1 / (1 + np.exp(-slope * (s - threshold))))

    index = {name: k for k, name in enumerate(files)}
    checks = []
    for a, b in (("Family1-Dad1.jpg", "Family1-Dad2.jpg"), ("Family1-Dad1.jpg", "Family1-Mom1.jpg"),
                 ("Family1-Dad1.jpg", "Family1-Son1.jpg")):
        if a in index and b in index:
            s = float(matrix[index[a]] @ matrix[index[b]])
            checks.append(f"{a[:-4]} vs {b[:-4]}: cosine {s:.3f} -> {conf(s):.3f}")
    dad = args.testdata / "azure-face-samples" / "Family1-Dad1.jpg"
    if dad.is_file():
        image = cv2.imread(str(dad))
        first = template(dad)
        ok, jpeg = cv2.imencode(".jpg", cv2.resize(image, None, fx=0.8, fy=0.8), [cv2.IMWRITE_JPEG_QUALITY, 70])
        again = pipeline.analyze(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), want_embedding=True)[0].embedding
        checks.append(f"same photo twice -> {conf(float(first @ template(dad))):.4f}; "
                      f"re-encoded at 80 % size, JPEG q70: cosine {float(first @ again):.3f} -> {conf(float(first @ again)):.3f}")
    print("checks: " + "\n        ".join(checks))

    result = {
        "threshold": round(threshold, 4),
        "slope": round(slope, 3),
        "method": f"threshold at the {args.target_far:g} upper tail of a normal fit to impostor cosines; "
                  "slope from a balanced logistic regression",
        "measured": {
            "identities": len(set(names)), "faces": len(names), "genuine_pairs": int(len(genuine)),
            "impostor_pairs": int(len(impostor)), "false_accept_rate": round(far, 5), "false_reject_rate": round(frr, 5),
            "modelled_false_accept_rate": args.target_far, "modelled_false_reject_rate": round(modelled_frr, 5),
            "eer": round(eer_rate, 5), "eer_threshold": round(eer_threshold, 4),
            "genuine_min": round(float(genuine.min()), 4), "impostor_max": round(float(impostor.max()), 4),
            "impostor_mean": round(float(impostor.mean()), 4), "impostor_sd": round(float(impostor.std()), 4),
            "genuine_mean": round(float(genuine.mean()), 4), "genuine_sd": round(float(genuine.std()), 4),
        },
        "command": "python bench/calibrate.py",
    }
    if not args.dry_run:
        CALIBRATION.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {CALIBRATION.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
