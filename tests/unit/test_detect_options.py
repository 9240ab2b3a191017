"""returnFaceAttributes rules: retired, unknown, per-model support."""
from __future__ import annotations

import pytest

from shared.api.errors import ApiError
from shared.services.detection import parse_attributes


def _error(raw, det="detection_01", rec="recognition_04"):
    with pytest.raises(ApiError) as err:
        parse_attributes(raw, det, rec)
    return err.value.status, err.value.code


@pytest.mark.parametrize("name", ["emotion", "gender", "age", "smile", "makeup", "facialHair", "hair", "Emotion"])
def test_retired_attributes_are_403(name):
    assert _error(f"headPose,{name}") == (403, "UnsupportedFeature")


def test_unknown_attribute_is_bad_argument():
    assert _error("headPose,beauty") == (400, "BadArgument")


def test_detection_02_takes_no_attributes():
    assert _error("headPose", det="detection_02") == (400, "BadArgument")


def test_quality_needs_recognition_03_or_04():
    assert _error("qualityForRecognition", rec="recognition_01") == (400, "BadArgument")
    assert parse_attributes("qualityForRecognition", "detection_01", "recognition_03") == ("qualityForRecognition",)


def test_attribute_outside_the_detection_model_table():
    assert _error("noise", det="detection_03") == (400, "BadArgument")
    assert _error("mask", det="detection_01") == (400, "BadArgument")


def test_names_are_canonicalised_and_deduplicated():
    assert parse_attributes(" headpose , BLUR,headPose", "detection_03", "recognition_04") == ("headPose", "blur")
    assert parse_attributes("", "detection_01", "recognition_01") == ()
