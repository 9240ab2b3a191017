"""The detector: whole-image and fine passes on a free-size graph, small and large faces."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from shared.settings import get_settings
from shared.vision import detector
from shared.vision.modelpack import read_verified
from shared.vision.sessions import run

MODEL_DIR = get_settings().model_dir
pytestmark = pytest.mark.skipif(
    not (MODEL_DIR / "fr_detect.onnx").is_file(),
    reason=f"model pack missing in {MODEL_DIR}: run python scripts/fetch_models.py",
)


@pytest.fixture(scope="module")
def samples(testdata: Path) -> Path:
    return testdata / "azure-face-samples"


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path))
    assert image is not None, path
    return image


def _face_at(image: np.ndarray, side: float) -> np.ndarray:
    """The portrait's face with some background, scaled so that the detector's square measures `side`."""
    cx, cy, found = detector.model_square(detector.detect_boxes(image)[0])
    half = found * 0.6
    y1, y2 = int(max(0, cy - half)), int(min(image.shape[0], cy + half))
    x1, x2 = int(max(0, cx - half)), int(min(image.shape[1], cx + half))
    scale = side / found
    crop = image[y1:y2, x1:x2]
    size = (round(crop.shape[1] * scale), round(crop.shape[0] * scale))
    return cv2.resize(crop, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def test_the_free_size_graph_decodes_like_the_original(samples):
    """At the native 320x240 the edited graph plus our priors give the boxes the file's own decoder gives."""
    canvas = cv2.resize(_read(samples / "identification1.jpg"), (320, 240))
    x = ((canvas[:, :, ::-1].astype(np.float32) - 127) / 128).transpose(2, 0, 1)[None].copy()
    scores, baked = run("detector", x)  # the unedited file: decoded corner boxes
    free_scores, regression = run("detector", x, edit=detector.free_input_size)
    assert np.allclose(scores, free_scores, atol=1e-5)
    priors = detector.priors(320, 240)
    assert len(priors) == baked.shape[1] == 4420
    centre = priors[:, :2] + regression[0, :, :2] * 0.1 * priors[:, 2:]
    size = priors[:, 2:] * np.exp(regression[0, :, 2:] * 0.2)
    decoded = np.concatenate([centre - size / 2, centre + size / 2], axis=1)
    confident = scores[0, :, 1] > 0.7
    assert confident.sum() >= 4
    assert np.abs(decoded - baked[0]).max() < 1e-4
    assert len(read_verified("detector")) > 1_000_000


def test_a_portrait_has_one_square_face(samples):
    image = _read(samples / "Family1-Dad1.jpg")
    faces = detector.detect_boxes(image)
    assert len(faces) == 1
    face = faces[0]
    assert face.score > 0.9 and face.width > 0.5 * image.shape[1] and face.top < 0.3 * image.shape[0]
    cx, cy, side = detector.model_square(face)
    assert face.height == pytest.approx(side * detector.AZURE_BOX_SCALE)  # square unless clipped: here at the left
    assert face.left == 0 and face.width < face.height


def test_four_faces_in_the_family_photo_largest_first(samples):
    faces = detector.detect_boxes(_read(samples / "identification1.jpg"))
    assert len(faces) == 4
    areas = [f.width * f.height for f in faces]
    assert areas == sorted(areas, reverse=True)
    assert len(detector.detect_boxes(_read(samples / "identification1.jpg"), max_faces=2)) == 2


def test_textures_are_not_faces(testdata):
    # a shirt collar and the gap between two people scored 0.80 / 0.92 in the fine pass
    assert len(detector.detect_boxes(_read(testdata / "azure-face-samples" / "detection1.jpg"))) == 1
    assert len(detector.detect_boxes(_read(testdata / "face-recognition-lib" / "two_people.jpg"))) == 2
    assert detector.detect_boxes(np.full((1080, 1920, 3), 90, np.uint8)) == []


def test_a_40_pixel_face_in_1080p_and_an_800_pixel_face_are_both_found(samples):
    portrait = _read(samples / "Family1-Mom1.jpg")
    canvas = cv2.GaussianBlur(np.random.default_rng(0).integers(40, 200, (1080, 1920, 3)).astype(np.uint8), (0, 0), 6)
    small = _face_at(portrait, 40 / detector.AZURE_BOX_SCALE)  # a 40-pixel face rectangle
    canvas[600 : 600 + small.shape[0], 1500 : 1500 + small.shape[1]] = small
    big = _face_at(portrait, 800 / detector.AZURE_BOX_SCALE)[:1000]
    canvas[40 : 40 + big.shape[0], 100 : 100 + big.shape[1]] = big
    faces = detector.detect_boxes(canvas)
    assert len(faces) == 2
    large, tiny = faces
    assert 600 < large.width < 1000 and 100 < large.left + large.width / 2 < 100 + big.shape[1]
    assert 30 < tiny.width < 50
    assert 1500 < tiny.left + tiny.width / 2 < 1500 + small.shape[1] and 600 < tiny.top + tiny.height / 2 < 600 + small.shape[0]


def test_a_small_face_in_a_small_photo_needs_no_fine_pass():
    assert detector.pass_scales(1000, 667) == [0.32, pytest.approx(detector.FINE_FACE_PX / 36)]
    assert len(detector.pass_scales(400, 300)) == 1
    whole, fine = detector.pass_scales(1920, 1080)
    assert fine * detector.smallest_face(1920, 1080) == pytest.approx(detector.FINE_FACE_PX)
    assert detector.smallest_face(4000, 3000) == pytest.approx(36 * 3000 / 1080)
