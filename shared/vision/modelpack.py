"""The model pack: which files, their checksums, and where they are on disk."""
from __future__ import annotations

import hashlib
import json
import threading
from functools import lru_cache
from pathlib import Path

MANIFEST = Path(__file__).with_name("manifest.json")
FETCH_HINT = "run `python scripts/fetch_models.py` (make run / make test do it for you)"


class ModelPackError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def manifest() -> dict:
    return json.loads(MANIFEST.read_text())


def entry(name: str) -> dict:
    for model in manifest()["models"]:
        if model["name"] == name:
            return model
    raise ModelPackError(f"the model pack has no model named '{name}'")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_verified: set[Path] = set()
_lock = threading.Lock()


def verified_path(name: str, model_dir: Path) -> Path:
    """The file of model `name`, checked against the manifest's sha256 the first time it is used."""
    model = entry(name)
    path = model_dir / model["file"]
    with _lock:
        if path in _verified:
            return path
        if not path.is_file():
            raise ModelPackError(f"model file {path} is missing: {FETCH_HINT}")
        actual = sha256_of(path)
        if actual != model["sha256"]:
            raise ModelPackError(
                f"model file {path} does not match the manifest (sha256 {actual}, expected {model['sha256']}): "
                f"it was altered or is another version; {FETCH_HINT}"
            )
        _verified.add(path)
    return path
