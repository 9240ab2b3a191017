"""Face attributes in Azure's shapes: sample portraits come out good, degraded copies worse."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from shared.settings import get_settings
from shared.vision import pipeline

MODEL_DIR = get_settings().model_dir
pytestmark = pytest.mark.skipif(
    not (MODEL_DIR / "fr_pose.onnx").is_file(),
    reason=f"model pack missing in {MODEL_DIR}: run python scripts/fetch_models.py",
)
QUALITY = frozenset({"headPose", "blur", "exposure", "noise", "qualityForRecognition"})


@pytest.fixture(scope="module")
def samples(testdata: Path) -> Path:
    return testdata / "azure-face-samples"


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path))
    assert image is not None, path
    return image


def _attributes(image: np.ndarray, wanted=QUALITY) -> dict:
    faces = pipeline.analyze(image, attributes=wanted)
    assert faces, "no face found"
    return faces[0].attributes


def test_shapes_are_azure_shapes(samples):
    found = _attributes(_read(samples / "Family1-Dad1.jpg"), QUALITY | {"mask"})
    assert set(found) == QUALITY | {"mask"}
    assert set(found["headPose"]) == {"pitch", "roll", "yaw"} and all(isinstance(v, float) for v in found["headPose"].values())
    assert found["blur"]["blurLevel"] in ("low", "medium", "high") and 0 <= found["blur"]["value"] <= 1
    assert found["exposure"]["exposureLevel"] in ("underExposure", "goodExposure", "overExposure")
    assert 0 <= found["exposure"]["value"] <= 1
    assert found["noise"]["noiseLevel"] in ("low", "medium", "high") and 0 <= found["noise"]["value"] <= 1
    assert found["qualityForRecognition"] in ("low", "medium", "high")
    assert found["mask"] == {"type": "uncertain", "noseAndMouthCovered": False}


@pytest.mark.parametrize("name", ["Family1-Dad1.jpg", "Family1-Mom1.jpg", "Family2-Lady1.jpg", "Family3-Man1.jpg"])
def test_sample_portraits_are_good_for_recognition(samples, name):
    found = _attributes(_read(samples / name))
    assert found["qualityForRecognition"] in ("medium", "high")
    assert found["blur"]["blurLevel"] == "low" and found["exposure"]["exposureLevel"] == "goodExposure"
    assert found["noise"]["noiseLevel"] == "low"


def test_attributes_get_worse_when_the_photo_does(samples):
    image = _read(samples / "Family1-Dad3.jpg")
    good = _attributes(image)
    assert good["qualityForRecognition"] == "high"

    blurred = _attributes(cv2.GaussianBlur(image, (0, 0), 3))
    assert blurred["blur"]["value"] > good["blur"]["value"] and blurred["blur"]["blurLevel"] == "high"
    assert blurred["qualityForRecognition"] == "low"
    slightly = _attributes(cv2.GaussianBlur(image, (0, 0), 1))
    assert good["blur"]["value"] < slightly["blur"]["value"] < blurred["blur"]["value"]

    dark = _attributes((image * 0.25).astype(np.uint8))
    assert dark["exposure"]["exposureLevel"] == "underExposure" and dark["qualityForRecognition"] == "low"
    bright = _attributes(np.clip(image * 2.0, 0, 255).astype(np.uint8))
    assert bright["exposure"]["exposureLevel"] == "overExposure" and bright["qualityForRecognition"] == "low"

    rng = np.random.default_rng(0)
    noisy = _attributes(np.clip(image + rng.normal(0, 25, image.shape), 0, 255).astype(np.uint8))
    assert noisy["noise"]["value"] > good["noise"]["value"] + 0.3 and noisy["noise"]["noiseLevel"] != "low"
    assert noisy["qualityForRecognition"] != "high"

    small = _attributes(cv2.resize(image, None, fx=0.3, fy=0.3, interpolation=cv2.INTER_AREA))
    assert small["qualityForRecognition"] == "low"  # a ~40 px face


def test_head_pose_yaw_is_positive_toward_the_image_right(samples):
    # detection1.jpg: a woman looking toward the image's right (her own left)
    image = _read(samples / "detection1.jpg")
    pose = _attributes(image, frozenset({"headPose"}))["headPose"]
    mirrored = _attributes(image[:, ::-1].copy(), frozenset({"headPose"}))["headPose"]
    assert pose["yaw"] > 10 and mirrored["yaw"] < -10
    assert abs(pose["yaw"] + mirrored["yaw"]) < 8 and abs(pose["pitch"] - mirrored["pitch"]) < 5
    assert pose["roll"] * mirrored["roll"] < 0


def test_roll_follows_a_rotation_of_the_photo(samples):
    image = _read(samples / "Family1-Dad3.jpg")
    height, width = image.shape[:2]
    rolls = []
    for angle in (-15, 0, 15):  # cv2 angles are counter-clockwise
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
        rotated = cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)
        rolls.append(_attributes(rotated, frozenset({"headPose"}))["headPose"]["roll"])
    assert rolls[0] - rolls[1] == pytest.approx(15, abs=4)  # clockwise rotation: roll grows
    assert rolls[1] - rolls[2] == pytest.approx(15, abs=4)
