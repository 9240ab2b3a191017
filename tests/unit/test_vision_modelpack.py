"""The model pack: manifest, sha256 checks, and the fetch script's extraction."""
from __future__ import annotations

import hashlib
import importlib.util
import io
import shutil
import tarfile
from pathlib import Path

import pytest

from shared.settings import get_settings
from shared.vision.modelpack import ModelPackError, entry, manifest, read_verified, verified_path

REPO = Path(__file__).resolve().parents[2]
MODEL_DIR = get_settings().model_dir
needs_models = pytest.mark.skipif(
    not (MODEL_DIR / "fr_eye.onnx").is_file(), reason=f"model pack missing in {MODEL_DIR}: run python scripts/fetch_models.py"
)


def _fetch_module():
    spec = importlib.util.spec_from_file_location("fetch_models", REPO / "scripts" / "fetch_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_manifest_names_the_six_models_and_no_retired_ones():
    models = manifest()["models"]
    assert {m["name"] for m in models} == {"detector", "landmarks68", "recognition", "liveness", "pose", "eye"}
    assert not any(word in m["file"] for m in models for word in ("age", "gender", "expression"))
    for m in models:
        assert len(m["sha256"]) == 64 and m["input"]["shape"][0] == 1 and m["input"]["layout"] == "NCHW"
    assert entry("recognition")["file"] == "fr_feature.onnx"
    with pytest.raises(ModelPackError, match="no model named"):
        entry("age")


@needs_models
def test_an_altered_or_missing_model_file_is_refused(tmp_path):
    assert verified_path("eye", MODEL_DIR) == MODEL_DIR / "fr_eye.onnx"
    data = bytearray((MODEL_DIR / "fr_eye.onnx").read_bytes())
    data[1000] ^= 0xFF
    (tmp_path / "fr_eye.onnx").write_bytes(bytes(data))
    with pytest.raises(ModelPackError, match=r"fr_eye.onnx.*does not match the manifest.*fetch_models.py"):
        verified_path("eye", tmp_path)
    with pytest.raises(ModelPackError, match="does not match"):
        read_verified("eye", tmp_path)
    with pytest.raises(ModelPackError, match=r"fr_pose.onnx.*missing.*fetch_models.py"):
        verified_path("pose", tmp_path)
    shutil.copy(MODEL_DIR / "fr_eye.onnx", tmp_path / "fr_eye.onnx")  # repaired: accepted again
    assert verified_path("eye", tmp_path) == tmp_path / "fr_eye.onnx"


def _tarball(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_fetch_extracts_only_the_named_files_and_checks_them(tmp_path, monkeypatch):
    fetch = _fetch_module()
    good, bad = b"model-a", b"model-b"
    fake = [{"name": "a", "file": "a.onnx", "sha256": hashlib.sha256(good).hexdigest()},
            {"name": "b", "file": "b.onnx", "sha256": hashlib.sha256(b"something else").hexdigest()}]
    tarball = _tarball(tmp_path / "pack.tgz", {
        "package/model/a.onnx": good, "package/model/b.onnx": bad, "package/LICENSE": b"MIT",
        "package/model/fr_age.onnx": b"retired", "package/../../escape.onnx": b"x",
    })
    dest = tmp_path / "models"
    dest.mkdir()
    errors = fetch._extract(tarball, fake, dest)
    assert (dest / "a.onnx").read_bytes() == good and (dest / fetch.LICENSE_NAME).read_bytes() == b"MIT"
    assert not (dest / "b.onnx").exists() and any("b.onnx" in e and "sha256" in e for e in errors)
    assert sorted(p.name for p in dest.iterdir()) == ["LICENSE.faceplugin", "a.onnx"]
    assert not (tmp_path.parent / "escape.onnx").exists()


@needs_models
def test_fetch_is_a_fast_no_op_when_the_pack_is_present(capsys, monkeypatch):
    fetch = _fetch_module()
    if not (MODEL_DIR / fetch.LICENSE_NAME).is_file():
        pytest.skip("models/LICENSE.faceplugin missing")
    monkeypatch.setattr("sys.argv", ["fetch_models.py", "--dest", str(MODEL_DIR)])
    monkeypatch.setattr(fetch, "_npm_pack", lambda *a: pytest.fail("must not download"))
    assert fetch.main() == 0
    assert capsys.readouterr().out.strip() == "model pack OK"
