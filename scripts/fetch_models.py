#!/usr/bin/env python3
"""Fetch the model pack (npm package faceplugin-face-recognition-js@0.0.1, MIT) into models/.

    python scripts/fetch_models.py [--dest models]

Idempotent: when every file in shared/vision/manifest.json is present in the destination with
its sha256 (and the licence beside them), it prints "model pack OK" and does nothing else.
Otherwise it runs `npm pack` in a temporary directory, reads only the listed model files (and
the package LICENSE, saved as LICENSE.faceplugin) out of the tarball with tarfile, checks each
file's sha256 before it is written, and fails with a non-zero exit status on any mismatch.
The package's age, gender and expression models are never extracted (retired attributes).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from shared.vision.modelpack import manifest, sha256_of  # noqa: E402

LICENSE_NAME = "LICENSE.faceplugin"
MAX_MEMBER_BYTES = 64 << 20  # the largest model is ~6 MB


def _missing(dest: Path) -> list[dict]:
    return [m for m in manifest()["models"] if not (dest / m["file"]).is_file() or sha256_of(dest / m["file"]) != m["sha256"]]


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _npm_pack(spec: str, workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("fetch_models: npm is needed to fetch the model pack (install Node.js)")
    done = subprocess.run([npm, "pack", spec, "--silent"], cwd=workdir, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"fetch_models: `npm pack {spec}` failed:\n{done.stderr.strip()}")
    tarballs = sorted(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise SystemExit(f"fetch_models: `npm pack {spec}` did not produce one tarball ({done.stdout.strip()!r})")
    return tarballs[0]


def _extract(tarball: Path, needed: list[dict], dest: Path) -> list[str]:
    """Write the needed models (checked) and the licence; return error messages."""
    wanted = {f"package/model/{m['file']}": m for m in needed}
    errors, seen = [], set()
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if member.name not in wanted and member.name != "package/LICENSE":
                continue  # only the named files leave the archive
            if not member.isfile() or member.size > MAX_MEMBER_BYTES:
                errors.append(f"{member.name}: not a regular file of a plausible size in the tarball")
                continue
            data = archive.extractfile(member).read()
            if member.name == "package/LICENSE":
                _write_atomically(dest / LICENSE_NAME, data)
                continue
            model = wanted[member.name]
            seen.add(member.name)
            actual = hashlib.sha256(data).hexdigest()
            if actual != model["sha256"]:
                errors.append(f"{model['file']}: sha256 {actual} does not match the manifest ({model['sha256']})")
                continue
            _write_atomically(dest / model["file"], data)
    errors += [f"{name}: not in the package" for name in wanted if name not in seen]
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", type=Path, default=REPO_ROOT / "models", help="model directory (default: <repo>/models)")
    dest = parser.parse_args().dest.resolve()
    dest.mkdir(parents=True, exist_ok=True)
    needed = _missing(dest)
    if not needed and (dest / LICENSE_NAME).is_file():
        print("model pack OK")
        return 0
    spec = f"{manifest()['package']}@{manifest()['version']}"
    with tempfile.TemporaryDirectory() as tmp:
        print(f"fetching {spec} with npm pack ...", flush=True)
        errors = _extract(_npm_pack(spec, Path(tmp)), needed, dest)
    errors += [f"{m['file']}: still missing or altered after the download" for m in _missing(dest)
               if not any(e.startswith(m["file"]) for e in errors)]
    if not (dest / LICENSE_NAME).is_file():
        errors.append("package/LICENSE: not in the package")
    if errors:
        print("fetch_models: the model pack could not be verified:\n  " + "\n  ".join(errors), file=sys.stderr)
        return 1
    print(f"model pack OK ({len(needed)} file(s) fetched into {dest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
