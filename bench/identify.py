"""Benchmark of the 1:N template index (training + identify search), on synthetic templates.

    python bench/identify.py --sizes 10000,100000,1000000

For each size (and method), two fresh child processes:
  build: makes N random unit templates (in chunks) and the queries, computes the exact answer by
         brute force, times TemplateIndex.build and to_bytes, writes the snapshot to a temp file;
  serve: a clean process, as the service would be: reads the snapshot, times from_bytes, then times
         single-face searches and measures recall@1 against the exact answer and the resident memory.

Queries are "another photo of an enrolled person": an enrolled template plus noise so that the cosine
to its own template is uniform in [--cos-lo, --cos-hi] (default 0.6-0.75); other templates sit at
~0.0-0.25. --data clustered puts templates around 1,000 centres (impostor cosines ~0.3-0.5), a harder
case for the coarse PQ scan. Random data has no cluster structure: the worst case for IVF-style
partitioning, the usual case for an exhaustive scan.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DIM = 512


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def make_templates(n: int, data: str, seed: int = 0, chunk: int = 100_000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), np.float32)
    centres = None
    if data == "clustered":
        centres = rng.standard_normal((1_000, DIM), dtype=np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        x = rng.standard_normal((b - a, DIM), dtype=np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        if centres is not None:  # cosine between two members of a cluster ~0.4
            x = np.float32(np.sqrt(0.6)) * x + np.float32(np.sqrt(0.4)) * centres[rng.integers(0, len(centres), b - a)]
            x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[a:b] = x
    return out


def make_queries(x: np.ndarray, count: int, lo: float, hi: float, seed: int = 1):
    rng = np.random.default_rng(seed)
    targets = rng.choice(len(x), count, replace=False)
    t = x[targets]
    u = rng.standard_normal((count, DIM), dtype=np.float32)
    u -= (u * t).sum(1, keepdims=True) * t
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    c = rng.uniform(lo, hi, count).astype(np.float32)[:, None]
    q = c * t + np.sqrt(1 - c * c) * u
    return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32), targets


def exact_top(x: np.ndarray, q: np.ndarray, k: int, chunk: int = 50_000):
    """Brute-force top-k (sims, rows), chunk by chunk so the (Q, N) matrix is never whole."""
    best_s = np.full((len(q), 0), -np.inf, np.float32)
    best_r = np.zeros((len(q), 0), np.int64)
    for a in range(0, len(x), chunk):
        s = q @ x[a : a + chunk].T
        kk = min(k, s.shape[1])
        part = np.argpartition(-s, kk - 1, axis=1)[:, :kk]
        cand_s = np.concatenate([best_s, np.take_along_axis(s, part, 1)], 1)
        cand_r = np.concatenate([best_r, part + a], 1)
        order = np.argsort(-cand_s, axis=1, kind="stable")[:, :k]
        best_s, best_r = np.take_along_axis(cand_s, order, 1), np.take_along_axis(cand_r, order, 1)
    return best_s, best_r


def phase_build(args) -> dict:
    from shared.search.index import TemplateIndex

    x = make_templates(args.n, args.data)
    q, targets = make_queries(x, args.queries, args.cos_lo, args.cos_hi)
    true_s, true_r = exact_top(x, q, args.k)
    np.savez(args.work / "truth.npz", q=q, targets=targets, true_s=true_s, true_r=true_r)
    before = rss_mb()
    t = time.perf_counter()
    index = TemplateIndex.build(x, method=args.method)
    build_s = time.perf_counter() - t
    after_build = rss_mb()
    del x
    t = time.perf_counter()
    data = index.to_bytes()
    to_bytes_s = time.perf_counter() - t
    (args.work / "index.bin").write_bytes(data)
    return {
        "kind": index.kind, "build_s": build_s, "to_bytes_s": to_bytes_s, "snapshot_mb": len(data) / 1e6,
        "build_index_rss_mb": after_build - before, "build_peak_rss_mb": peak_rss_mb(),
    }


def phase_serve(args) -> dict:
    import shared.search.index as index_module  # noqa: F401 - imports faiss lazily below
    from shared.search.index import TemplateIndex

    try:
        import faiss  # noqa: F401 - part of the service's baseline, not of the index
    except ImportError:
        pass
    truth = np.load(args.work / "truth.npz")
    q, targets, true_s, true_r = truth["q"], truth["targets"], truth["true_s"], truth["true_r"]
    base = rss_mb()
    data = (args.work / "index.bin").read_bytes()
    t = time.perf_counter()
    index = TemplateIndex.from_bytes(data)
    load_s = time.perf_counter() - t
    del data  # the index keeps what it needs (a view of the buffer, not a copy)
    loaded_rss = rss_mb()
    for i in range(min(5, len(q))):  # warm-up
        index.search(q[i : i + 1], args.k)
    times, sims, rows = [], [], []
    for i in range(len(q)):
        t = time.perf_counter()
        s, r = index.search(q[i : i + 1], args.k)
        times.append(time.perf_counter() - t)
        sims.append(s[0])
        rows.append(r[0])
    sims, rows = np.array(sims), np.array(rows)
    t = time.perf_counter()
    index.search(q, args.k)
    batch_s = time.perf_counter() - t
    times_ms = np.array(times) * 1e3
    return {
        "kind": index.kind, "nbytes_mb": index.nbytes / 1e6, "load_s": load_s,
        "serve_base_rss_mb": base, "serve_rss_mb": loaded_rss, "serve_peak_rss_mb": peak_rss_mb(),
        "p50_ms": float(np.percentile(times_ms, 50)), "p95_ms": float(np.percentile(times_ms, 95)),
        "batch_qps": len(q) / batch_s,
        "recall1_vs_exact": float((rows[:, 0] == true_r[:, 0]).mean()),
        "recall1_own": float((rows[:, 0] == targets).mean()),
        "exact_is_own": float((true_r[:, 0] == targets).mean()),
        "recallk_vs_exact": float(np.mean([len(set(a) & set(b)) / len(b) for a, b in zip(rows, true_r)])),
        "recall_strong_vs_exact": _strong_recall(rows, true_r, true_s, args.strong),
        # how far the j-th returned cosine falls below the exact j-th cosine (0 = as good as exact)
        "max_shortfall": float(np.max(true_s[:, : sims.shape[1]] - sims)),
        "max_err_top1": float(np.abs(sims[:, 0] - true_s[:, 0]).max()),
        "own_cos_mean": float(true_s[:, 0].mean()),
    }


def _strong_recall(rows: np.ndarray, true_r: np.ndarray, true_s: np.ndarray, floor: float) -> float:
    """Of the exact top-k rows with cosine >= floor (plausible same-person matches), the share found."""
    want = [set(r[s >= floor].tolist()) for r, s in zip(true_r, true_s)]
    total = sum(len(w) for w in want)
    return float(sum(len(w & set(got.tolist())) for w, got in zip(want, rows)) / total) if total else float("nan")


def run_child(phase: str, n: int, method: str, work: Path, args) -> dict:
    cmd = [
        sys.executable, __file__, "--_phase", phase, "--_n", str(n), "--_work", str(work), "--methods", method,
        "--queries", str(args.queries), "--k", str(args.k), "--data", args.data,
        "--cos-lo", str(args.cos_lo), "--cos-hi", str(args.cos_hi), "--strong", str(args.strong),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


COLUMNS = [
    ("N", "{n:>9,}"), ("method", "{kind:<10}"), ("build s", "{build_s:7.1f}"), ("snapshot MB", "{snapshot_mb:11.1f}"),
    ("load s", "{load_s:6.2f}"), ("index MB", "{nbytes_mb:8.1f}"), ("serve RSS MB", "{serve_rss_mb:12.0f}"),
    ("build peak MB", "{build_peak_rss_mb:13.0f}"), ("p50 ms", "{p50_ms:6.2f}"), ("p95 ms", "{p95_ms:6.2f}"),
    ("batch q/s", "{batch_qps:9.0f}"), ("recall@1 vs exact", "{recall1_vs_exact:17.4f}"),
    ("recall@k vs exact", "{recallk_vs_exact:17.4f}"), ("recall of cos>=strong", "{recall_strong_vs_exact:21.4f}"), ("max top1 err", "{max_err_top1:12.4f}"),
    ("max rank shortfall", "{max_shortfall:18.4f}"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--methods", default="auto", help="comma list of auto, exact-f32, pq4fs-sq8")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--data", choices=["random", "clustered"], default="random")
    parser.add_argument("--cos-lo", type=float, default=0.6)
    parser.add_argument("--cos-hi", type=float, default=0.75)
    parser.add_argument("--strong", type=float, default=0.3, help="cosine from which an exact neighbour must be found")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--_phase", help=argparse.SUPPRESS)
    parser.add_argument("--_n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--_work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args._phase:
        args.n, args.work, args.method = args._n, args._work, args.methods
        result = phase_build(args) if args._phase == "build" else phase_serve(args)
        print(json.dumps(result))
        return

    sizes = [int(s) for s in args.sizes.split(",") if s]
    methods = [m for m in args.methods.split(",") if m]
    print(f"data={args.data} queries={args.queries} k={args.k} own-template cosine in [{args.cos_lo}, {args.cos_hi}]"
          f" cpus={os.cpu_count()}", flush=True)
    print("| " + " | ".join(name for name, _ in COLUMNS) + " |")
    print("|" + "|".join("---" for _ in COLUMNS) + "|", flush=True)
    results = []
    for n in sizes:
        for method in methods:
            with tempfile.TemporaryDirectory(prefix="bench-identify-") as tmp:
                work = Path(tmp)
                row = {"n": n, "method": method, **run_child("build", n, method, work, args)}
                row.update(run_child("serve", n, method, work, args))
            results.append(row)
            print("| " + " | ".join(fmt.format(**row).strip() for _, fmt in COLUMNS) + " |", flush=True)
    print("serve RSS = resident set of a fresh process after from_bytes (python + numpy + faiss + index); "
          f"baseline without the index: {results[-1]['serve_base_rss_mb']:.0f} MB" if results else "")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
