#!/usr/bin/env python3
"""Fetch the model pack (npm package faceplugin-face-recognition-js@0.0.1, MIT) into models/.

Idempotent: when every file in shared/vision/manifest.json is present with its sha256, it does
nothing. Otherwise it runs `npm pack`, extracts only the listed model files, and verifies each.
The package's age, gender and expression models are never extracted (retired attributes).

    python scripts/fetch_models.py [--dest models]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from shared.vision.modelpack import manifest, sha256_of  # noqa: E402


def _missing(dest: Path) -> list[dict]:
    return [m for m in manifest()["models"] if not (dest / m["file"]).is_file() or sha256_of(dest / m["file"]) != m["sha256"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", type=Path, default=REPO_ROOT / "models")
    dest = parser.parse_args().dest
    dest.mkdir(parents=True, exist_ok=True)
    needed = _missing(dest)
    if not needed:
        print("model pack OK")
        return 0
    spec = f"{manifest()['package']}@{manifest()['version']}"
    npm = shutil.which("npm")
    if npm is None:
        print("npm is needed to fetch the model pack (install Node.js)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        print(f"fetching {spec} with npm pack ...", flush=True)
        done = subprocess.run([npm, "pack", spec, "--silent"], cwd=tmp, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"npm pack {spec} failed:\n{done.stderr}", file=sys.stderr)
            return 1
        tarball = Path(tmp) / done.stdout.strip().splitlines()[-1]
        wanted = {f"package/model/{m['file']}": m for m in needed}
        with tarfile.open(tarball, "r:gz") as archive:
            for member in archive.getmembers():
                if member.name == "package/LICENSE":
                    (dest / "LICENSE.faceplugin").write_bytes(archive.extractfile(member).read())
                model = wanted.get(member.name)
                if model is None or not member.isfile():
                    continue  # only the named regular files; nothing else leaves the archive
                (dest / model["file"]).write_bytes(archive.extractfile(member).read())
    still = _missing(dest)
    if still:
        for m in still:
            print(f"{m['file']}: missing or sha256 mismatch after download (expected {m['sha256']})", file=sys.stderr)
        return 1
    print(f"model pack OK ({len(needed)} file(s) fetched into {dest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
