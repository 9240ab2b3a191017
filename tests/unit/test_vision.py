"""The vision pipeline on real photos with the real model pack."""
from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from shared.vision import pipeline
from shared.vision.modelpack import ModelPackError, entry, verified_path

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "models"
QUALITY = frozenset({"headPose", "blur", "exposure", "noise", "qualityForRecognition"})

pytestmark = pytest.mark.skipif(
    not (MODELS / "fr_detect.onnx").is_file(), reason="model pack missing: run python scripts/fetch_models.py"
)


@pytest.fixture(scope="module")
def samples(testdata):
    return testdata / "azure-face-samples"


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path))
    assert image is not None, path
    return image


def test_one_face_in_a_portrait_with_a_plausible_box(samples):
    image = _read(samples / "Family1-Dad1.jpg")
    faces = pipeline.analyze(image, want_embedding=True, want_landmarks=True)
    assert len(faces) == 1
    box = faces[0].box
    assert box.width > 0.5 * image.shape[1] and 0.7 < box.width / box.height < 1.3
    assert abs(np.linalg.norm(faces[0].embedding) - 1.0) < 1e-4
    points = faces[0].landmarks68
    assert points.shape == (68, 2)
    inside = (points[:, 0] >= box.left - 5) & (points[:, 0] <= box.left + box.width + 5)
    assert inside.mean() > 0.95
    named = pipeline.azure_landmarks(points)
    assert len(named) == 27 and named["pupilLeft"]["x"] < named["pupilRight"]["x"]
    assert named["eyebrowLeftOuter"]["y"] < named["pupilLeft"]["y"] < named["noseTip"]["y"] < named["upperLipTop"]["y"]


def test_four_faces_in_the_family_photo_largest_first(samples):
    faces = pipeline.detect_boxes(_read(samples / "identification1.jpg"))
    assert len(faces) == 4
    areas = [f.width * f.height for f in faces]
    assert areas == sorted(areas, reverse=True)


def test_a_40_pixel_face_in_1080p_and_a_large_face_are_both_found(samples):
    face = _read(samples / "Family1-Mom1.jpg")
    small = cv2.resize(face, (40, int(40 * face.shape[0] / face.shape[1])), interpolation=cv2.INTER_AREA)
    canvas = np.full((1080, 1920, 3), 90, dtype=np.uint8)
    canvas[500 : 500 + small.shape[0], 1400 : 1400 + small.shape[1]] = small
    big = cv2.resize(face, (800, int(800 * face.shape[0] / face.shape[1])))[:900]
    canvas[100 : 100 + big.shape[0], 100 : 100 + big.shape[1]] = big
    faces = pipeline.detect_boxes(canvas)
    assert len(faces) == 2
    assert faces[0].width > 400 and faces[0].left < 500
    assert 20 < faces[1].width < 60 and 1380 < faces[1].left < 1440


def test_same_person_scores_above_different_people(samples):
    def template(name):
        return pipeline.analyze(_read(samples / name), want_embedding=True)[0].embedding

    dad1, dad2, mom1 = template("Family1-Dad1.jpg"), template("Family1-Dad2.jpg"), template("Family1-Mom1.jpg")
    same = pipeline.confidence_from_similarity(pipeline.similarity(dad1, dad2))
    other = pipeline.confidence_from_similarity(pipeline.similarity(dad1, mom1))
    assert same >= 0.5 > other
    assert pipeline.confidence_from_similarity(pipeline.similarity(dad1, dad1)) > 0.99


def test_attributes_get_worse_when_the_photo_does(samples):
    image = _read(samples / "Family1-Dad3.jpg")
    good = pipeline.analyze(image, attributes=QUALITY)[0].attributes
    assert good["qualityForRecognition"] in ("medium", "high")
    assert good["blur"]["blurLevel"] == "low" and good["exposure"]["exposureLevel"] == "goodExposure"
    blurred = pipeline.analyze(cv2.GaussianBlur(image, (0, 0), 4), attributes=QUALITY)[0].attributes
    assert blurred["blur"]["value"] > good["blur"]["value"] and blurred["blur"]["blurLevel"] == "high"
    assert blurred["qualityForRecognition"] == "low"
    dark = pipeline.analyze((image * 0.2).astype(np.uint8), attributes=QUALITY)[0].attributes
    assert dark["exposure"]["exposureLevel"] == "underExposure" and dark["qualityForRecognition"] == "low"
    rng = np.random.default_rng(0)
    noisy = np.clip(image.astype(np.int16) + rng.normal(0, 30, image.shape), 0, 255).astype(np.uint8)
    assert pipeline.analyze(noisy, attributes=QUALITY)[0].attributes["noise"]["value"] > good["noise"]["value"]


def test_head_pose_follows_a_mirrored_face(samples):
    image = _read(samples / "detection1.jpg")
    yaw = pipeline.analyze(image, attributes=frozenset({"headPose"}))[0].attributes["headPose"]["yaw"]
    mirrored = pipeline.analyze(image[:, ::-1].copy(), attributes=frozenset({"headPose"}))[0].attributes["headPose"]["yaw"]
    assert abs(yaw) > 20 and np.sign(yaw) == -np.sign(mirrored)


def test_an_altered_model_file_is_refused(tmp_path):
    shutil.copy(MODELS / "fr_eye.onnx", tmp_path / "fr_eye.onnx")
    data = bytearray((tmp_path / "fr_eye.onnx").read_bytes())
    data[1000] ^= 0xFF
    (tmp_path / "fr_eye.onnx").write_bytes(bytes(data))
    with pytest.raises(ModelPackError, match="does not match the manifest"):
        verified_path("eye", tmp_path)
    with pytest.raises(ModelPackError, match="missing"):
        verified_path("pose", tmp_path)
    assert entry("recognition")["file"] == "fr_feature.onnx"
