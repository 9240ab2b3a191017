"""The whole vision pipeline on real photos with the real model pack: faces, landmarks, templates,
confidence."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from shared.settings import get_settings
from shared.vision import pipeline
from shared.vision.modelpack import manifest

MODEL_DIR = get_settings().model_dir
pytestmark = pytest.mark.skipif(
    not all((MODEL_DIR / m["file"]).is_file() for m in manifest()["models"]),
    reason=f"model pack missing in {MODEL_DIR}: run python scripts/fetch_models.py",
)


@pytest.fixture(scope="module")
def samples(testdata: Path) -> Path:
    return testdata / "azure-face-samples"


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path))
    assert image is not None, path
    return image


@pytest.fixture(scope="module")
def templates(samples):
    names = ("Family1-Dad1.jpg", "Family1-Dad2.jpg", "Family1-Mom1.jpg", "Family1-Son1.jpg")
    return {name: pipeline.analyze(_read(samples / name), want_embedding=True)[0].embedding for name in names}


def test_a_portrait_has_one_face_with_landmarks_inside_its_rectangle(samples):
    image = _read(samples / "Family1-Dad1.jpg")
    faces = pipeline.analyze(image, want_embedding=True, want_landmarks=True)
    assert len(faces) == 1
    face = faces[0]
    box = face.box
    assert 0.5 * image.shape[1] < box.width and 0.8 < box.width / box.height <= 1.0  # square but clipped at the left
    assert box.left >= 0 and box.top >= 0 and box.left + box.width <= image.shape[1] and box.top + box.height <= image.shape[0]
    assert face.embedding.shape == (512,) and face.embedding.dtype == np.float32
    assert abs(np.linalg.norm(face.embedding) - 1.0) < 1e-4
    points = face.landmarks68
    assert points.shape == (68, 2) and points.dtype == np.float32
    margin = 0.1 * box.width
    inside = ((points[:, 0] >= box.left - margin) & (points[:, 0] <= box.left + box.width + margin)
              & (points[:, 1] >= box.top - margin) & (points[:, 1] <= box.top + box.height + margin))
    assert inside.all()
    named = pipeline.azure_landmarks(points)
    assert len(named) == 27 and all(set(p) == {"x", "y"} for p in named.values())
    assert named["pupilLeft"]["x"] < named["pupilRight"]["x"]
    assert named["eyeLeftOuter"]["x"] < named["eyeLeftInner"]["x"] < named["eyeRightInner"]["x"] < named["eyeRightOuter"]["x"]
    assert named["eyebrowLeftOuter"]["y"] < named["pupilLeft"]["y"] < named["noseTip"]["y"] < named["upperLipTop"]["y"]
    assert named["upperLipTop"]["y"] < named["underLipBottom"]["y"] and named["mouthLeft"]["x"] < named["mouthRight"]["x"]


def test_only_what_is_asked_for_is_computed(samples):
    image = _read(samples / "Family1-Dad1.jpg")
    face = pipeline.analyze(image)[0]
    assert face.landmarks68 is None and face.embedding is None and face.attributes == {}
    face = pipeline.analyze(image, attributes=frozenset({"blur"}))[0]
    assert face.landmarks68 is None and face.embedding is None and set(face.attributes) == {"blur"}
    with pytest.raises(ValueError):
        pipeline.analyze(image, attributes=frozenset({"age"}))
    assert pipeline.analyze(np.full((480, 640, 3), 128, np.uint8), want_embedding=True) == []


def test_four_faces_each_with_its_own_template(samples):
    faces = pipeline.analyze(_read(samples / "identification1.jpg"), want_embedding=True, max_faces=3)
    assert len(faces) == 3  # max_faces keeps the largest
    vectors = np.stack([f.embedding for f in faces])
    off_diagonal = (vectors @ vectors.T)[~np.eye(3, dtype=bool)]
    assert off_diagonal.max() < 0.5


def test_same_person_scores_above_different_people(templates):
    conf = pipeline.confidence_from_similarity
    sim = pipeline.similarity
    dad1, dad2, mom1, son1 = (templates[n] for n in ("Family1-Dad1.jpg", "Family1-Dad2.jpg", "Family1-Mom1.jpg", "Family1-Son1.jpg"))
    assert sim(dad1, dad2) > sim(dad1, son1) > sim(dad1, mom1)
    assert conf(sim(dad1, dad2)) > 0.5 > conf(sim(dad1, son1))
    assert conf(sim(dad1, mom1)) < 0.1
    assert conf(sim(dad1, dad1)) > 0.99


def test_the_same_photo_again_is_the_same_face(samples, templates):
    image = _read(samples / "Family1-Dad1.jpg")
    again = pipeline.analyze(image, want_embedding=True)[0].embedding
    assert pipeline.confidence_from_similarity(pipeline.similarity(templates["Family1-Dad1.jpg"], again)) > 0.99
    ok, jpeg = cv2.imencode(".jpg", cv2.resize(image, None, fx=0.8, fy=0.8), [cv2.IMWRITE_JPEG_QUALITY, 70])
    reencoded = pipeline.analyze(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), want_embedding=True)[0].embedding
    assert pipeline.confidence_from_similarity(pipeline.similarity(templates["Family1-Dad1.jpg"], reencoded)) > 0.9


def test_confidence_is_a_monotone_vectorised_scale_with_half_at_the_threshold():
    from shared.vision.calibration import threshold

    sims = np.linspace(-1, 1, 41)
    conf = pipeline.confidence_from_similarity(sims)
    assert isinstance(conf, np.ndarray) and conf.shape == sims.shape
    assert np.all(np.diff(conf) > 0) and conf[0] < 0.01 and conf[-1] > 0.99
    assert isinstance(pipeline.confidence_from_similarity(0.3), float)
    assert abs(pipeline.confidence_from_similarity(threshold()) - 0.5) < 1e-9
