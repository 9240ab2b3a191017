#!/usr/bin/env python3
"""Latency, cold start and memory of the API served by the local host, over HTTP.

    python bench/latency.py                      # starts Azurite + scripts/local_host.py itself
    python bench/latency.py --base-url http://127.0.0.1:7071 --key KEY [--pid PID]

Measures (N requests after a warm-up, one kept-alive requests.Session):
  * POST /face/v1.2/detect?returnFaceId=true on a ~1000 px one-face JPEG and on a 4-face photo;
  * POST /face/v1.2/verify with two faceIds;
  * a request for an unknown route (404): the local host's own overhead;
  * cold start: from spawning the host process to the first successful detect response,
    and that first request's own latency;
  * peak RSS of the host process (VmHWM from /proc/<pid>/status) at the end.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from devhost.azurite import Azurite  # noqa: E402
from devhost.process import LocalHostProcess  # noqa: E402

DEFAULT_TESTDATA = REPO_ROOT.parent / "shared" / "testdata"
TARGETS = {"detect1_p50_ms": 40.0, "cold_start_s": 3.0, "peak_rss_mb": 600.0}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base-url", help="a running service (else Azurite and the local host are started here)")
    p.add_argument("--key", default=os.environ.get("FACE_API_KEY"), help="Ocp-Apim-Subscription-Key")
    p.add_argument("--pid", type=int, help="with --base-url: the host's pid, to read its peak RSS")
    p.add_argument("-n", "--requests", type=int, default=50, help="measured requests per operation (50)")
    p.add_argument("--warmup", type=int, default=5, help="unmeasured requests per operation first (5)")
    p.add_argument("--testdata", type=Path, default=Path(os.environ.get("FACE_TESTDATA_DIR") or DEFAULT_TESTDATA))
    p.add_argument("--one-face", type=Path, help="one-face image (default azure-face-samples/detection1.jpg)")
    p.add_argument("--four-faces", type=Path, help="4-face image (default azure-face-samples/identification1.jpg)")
    p.add_argument("--width", type=int, default=1000, help="resize the one-face image to this width if it differs "
                                                           "by more than 20%% (in memory; 1000)")
    p.add_argument("--version", default="v1.2", help="API version in the path (v1.2)")
    p.add_argument("--json", type=Path, help="also write the results here as JSON")
    p.add_argument("--host-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for scripts/local_host.py (repeatable, e.g. --host-arg=--no-timers)")
    return p.parse_args(argv)


def load_jpeg(path: Path, width: int | None) -> tuple[bytes, tuple[int, int]]:
    from PIL import Image

    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        size = im.size
        if width and abs(im.width - width) > 0.2 * width:
            h = round(im.height * width / im.width)
            out = io.BytesIO()
            im.convert("RGB").resize((width, h), Image.LANCZOS).save(out, "JPEG", quality=90)
            return out.getvalue(), (width, h)
    return data, size


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


class Client:
    def __init__(self, base_url: str, key: str | None, version: str) -> None:
        self.base = base_url.rstrip("/")
        self.version = version
        self.s = requests.Session()
        if key:
            self.s.headers["Ocp-Apim-Subscription-Key"] = key

    def detect(self, image: bytes, timeout: float = 60) -> requests.Response:
        return self.s.post(f"{self.base}/face/{self.version}/detect", params={"returnFaceId": "true"}, data=image,
                           headers={"Content-Type": "application/octet-stream"}, timeout=timeout)

    def verify(self, a: str, b: str) -> requests.Response:
        return self.s.post(f"{self.base}/face/{self.version}/verify", json={"faceId1": a, "faceId2": b}, timeout=60)

    def missing(self) -> requests.Response:
        return self.s.get(f"{self.base}/face/{self.version}/no-such-route", timeout=60)


def timed(fn, n: int, warmup: int, check) -> list[float]:
    for _ in range(warmup):
        check(fn())
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = fn()
        out.append((time.perf_counter() - t0) * 1000)
        check(r)
    return out


def expect(status: int):
    def check(r: requests.Response) -> None:
        if r.status_code != status:
            raise SystemExit(f"{r.request.method} {r.url.split('?')[0]} -> {r.status_code}: {r.text[:300]}")
    return check


def peak_rss_mb(pid: int | None) -> float | None:
    if not pid:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cold_start(host: LocalHostProcess, image: bytes, key: str, version: str, timeout: float = 120):
    """Spawn the host and send detect until the first 200; (seconds to port, to first detect, its latency)."""
    t_spawn = time.monotonic()
    host.start(wait=False)
    client = Client(host.base_url, key, version)
    port_at = None
    deadline = t_spawn + timeout
    while time.monotonic() < deadline:
        if host.proc.poll() is not None:
            raise SystemExit(f"the local host exited with {host.proc.returncode}; log: {host.log_path}")
        t0 = time.monotonic()
        try:
            r = client.detect(image, timeout=timeout)
        except requests.ConnectionError:
            time.sleep(0.01)
            continue
        if port_at is None:
            port_at = t0 - t_spawn
        if r.status_code == 200:
            done = time.monotonic()
            return port_at, done - t_spawn, (done - t0) * 1000
        raise SystemExit(f"first detect -> {r.status_code}: {r.text[:300]} (log: {host.log_path})")
    raise SystemExit(f"no successful detect within {timeout} s (log: {host.log_path})")


def main(argv=None) -> int:
    args = parse_args(argv)
    samples = args.testdata / "azure-face-samples"
    one_path = args.one_face or samples / "detection1.jpg"
    four_path = args.four_faces or samples / "identification1.jpg"
    for p in (one_path, four_path):
        if not p.is_file():
            raise SystemExit(f"image not found: {p} (use --testdata or --one-face/--four-faces)")
    one, one_size = load_jpeg(one_path, args.width)
    four, four_size = load_jpeg(four_path, None)

    results: dict = {"command": " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]),
                     "n": args.requests, "warmup": args.warmup}
    azurite = host = None
    tmp = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    try:
        if args.base_url:
            base_url, key, pid = args.base_url, args.key, args.pid
            if not key:
                raise SystemExit("--key (or FACE_API_KEY) is needed with --base-url")
        else:
            azurite = Azurite.start_free_ports()
            key = "bench-key-" + secrets.token_hex(4)
            prefix = "b" + secrets.token_hex(5)
            env = dict(os.environ, AzureWebJobsStorage=azurite.connection_string, FACE_API_KEY=key,
                       FACE_TABLE_PREFIX=prefix, FACE_TRAINING_QUEUE=f"{prefix}-training", PYTHONUNBUFFERED="1")
            host = LocalHostProcess(env=env, log_path=tmp / "local_host.log", args=args.host_arg)
            port_s, first_s, first_ms = cold_start(host, one, key, args.version)
            base_url, pid = host.base_url, host.pid
            results.update(cold_port_s=port_s, cold_start_s=first_s, first_detect_ms=first_ms)

        c = Client(base_url, key, args.version)
        r = c.detect(one)
        expect(200)(r)
        n_one = len(r.json())
        r = c.detect(four)
        expect(200)(r)
        faces4 = r.json()
        results.update(faces_one=n_one, faces_four=len(faces4))
        if n_one != 1 or len(faces4) != 4:
            print(f"note: detected {n_one} face(s) in {one_path.name} and {len(faces4)} in {four_path.name} "
                  "(expected 1 and 4)", file=sys.stderr)

        n, w = args.requests, args.warmup
        series = {
            "detect 1 face": timed(lambda: c.detect(one), n, w, expect(200)),
            f"detect {len(faces4)} faces": timed(lambda: c.detect(four), n, w, expect(200)),
        }
        if len(faces4) >= 2:
            a, b = faces4[0]["faceId"], faces4[1]["faceId"]
            series["verify"] = timed(lambda: c.verify(a, b), n, w, expect(200))
        series["unknown route (404)"] = timed(c.missing, n, w, expect(404))
        results["latency_ms"] = {k: {"p50": pct(v, 0.5), "p95": pct(v, 0.95), "mean": statistics.fmean(v)}
                                 for k, v in series.items()}
        results["peak_rss_mb"] = peak_rss_mb(pid)
    finally:
        if host is not None:
            host.stop()
        if azurite is not None:
            azurite.stop()

    print_table(results, one_path, one_size, four_path, four_size, base_url)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def print_table(res: dict, one_path: Path, one_size, four_path: Path, four_size, base_url: str) -> None:
    rows = []
    lat = res["latency_ms"]
    for name, v in lat.items():
        target = f"p50 <= {TARGETS['detect1_p50_ms']:.0f} ms" if name == "detect 1 face" else ""
        rows.append((f"{name} p50 / p95", f"{v['p50']:.1f} / {v['p95']:.1f} ms", target))
    if "cold_start_s" in res:
        rows.append(("cold start: spawn -> port open", f"{res['cold_port_s']:.2f} s", ""))
        rows.append(("cold start: spawn -> first detect", f"{res['cold_start_s']:.2f} s",
                     f"<= {TARGETS['cold_start_s']:.0f} s"))
        rows.append(("first detect request itself", f"{res['first_detect_ms']:.0f} ms", ""))
    rss = res.get("peak_rss_mb")
    rows.append(("peak RSS of the host (VmHWM)", f"{rss:.0f} MB" if rss else "n/a (no pid)",
                 f"<= {TARGETS['peak_rss_mb']:.0f} MB"))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print(f"\n{base_url}  N={res['n']} after {res['warmup']} warm-up requests, one kept-alive session")
    print(f"one face:   {one_path.name} sent as {one_size[0]}x{one_size[1]} ({res['faces_one']} face)")
    print(f"four faces: {four_path.name} {four_size[0]}x{four_size[1]} ({res['faces_four']} faces)\n")
    print(f"{'metric'.ljust(w0)}  {'value'.ljust(w1)}  target")
    for a, b, t in rows:
        print(f"{a.ljust(w0)}  {b.ljust(w1)}  {t}")
    print(f"\ncommand: {res['command']}")


if __name__ == "__main__":
    sys.exit(main())
