"""The model pack: which files, their checksums, and where they are on disk.

shared/vision/manifest.json names every model the pipeline may load (name, file, sha256, input
spec). A file is checked against its sha256 the first time it is loaded in a process; a missing
or altered file raises ModelPackError, which says how to fetch the pack again.
"""
from __future__ import annotations

import hashlib
import json
import threading
from functools import lru_cache
from pathlib import Path

MANIFEST = Path(__file__).with_name("manifest.json")
FETCH_HINT = "run `python scripts/fetch_models.py` (make run / make test do it for you)"


class ModelPackError(RuntimeError):
    """A model file is missing, altered, or not in the manifest."""


@lru_cache(maxsize=1)
def manifest() -> dict:
    return json.loads(MANIFEST.read_text())


def entry(name: str) -> dict:
    for model in manifest()["models"]:
        if model["name"] == name:
            return model
    raise ModelPackError(f"the model pack has no model named '{name}' (see {MANIFEST.name})")


def default_model_dir() -> Path:
    """FACE_MODEL_DIR from the settings (default <repo>/models)."""
    from ..settings import get_settings

    return get_settings().model_dir


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_verified: dict[Path, tuple[int, int]] = {}  # path -> (size, mtime_ns) when it was verified
_lock = threading.Lock()


def _path(name: str, model_dir: Path | None) -> Path:
    path = Path(model_dir if model_dir is not None else default_model_dir()) / entry(name)["file"]
    if not path.is_file():
        raise ModelPackError(f"model file {path} ('{name}') is missing: {FETCH_HINT}")
    return path


def _check(name: str, path: Path, actual: str) -> None:
    expected = entry(name)["sha256"]
    if actual != expected:
        raise ModelPackError(
            f"model file {path} ('{name}') does not match the manifest (sha256 {actual}, expected "
            f"{expected}): it was altered or is another version; {FETCH_HINT}"
        )


def verified_path(name: str, model_dir: Path | None = None) -> Path:
    """The file of model `name` in `model_dir` (default: the settings' model dir), checked against
    the manifest's sha256 the first time it is used (and again if the file changed since)."""
    path = _path(name, model_dir)
    with _lock:
        stat = path.stat()
        if _verified.get(path) != (stat.st_size, stat.st_mtime_ns):
            _check(name, path, sha256_of(path))
            _verified[path] = (stat.st_size, stat.st_mtime_ns)
    return path


def read_verified(name: str, model_dir: Path | None = None) -> bytes:
    """The model file's bytes, checked against the manifest. The hash is taken of the very bytes
    that are returned, so a file swapped between a check and a read cannot slip through."""
    path = _path(name, model_dir)
    data = path.read_bytes()
    _check(name, path, hashlib.sha256(data).hexdigest())
    return data
