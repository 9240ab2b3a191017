"""The model names clients see on the wire, and what each detection model can return."""
from __future__ import annotations

DETECTION_MODELS = ("detection_01", "detection_02", "detection_03")
RECOGNITION_MODELS = ("recognition_01", "recognition_02", "recognition_03", "recognition_04")
DEFAULT_DETECTION_MODEL = "detection_01"
DEFAULT_RECOGNITION_MODEL = "recognition_01"

# Azure retired these (see the seeds on responsible use); asking for them is refused, not ignored.
RETIRED_ATTRIBUTES = ("age", "emotion", "facialHair", "gender", "hair", "makeup", "smile")
KNOWN_ATTRIBUTES = (
    "accessories", "blur", "exposure", "glasses", "headPose", "mask", "noise", "occlusion", "qualityForRecognition",
)
# What each detection model supports, from Azure's "specify a detection model" table.
ATTRIBUTES_BY_DETECTION_MODEL = {
    "detection_01": frozenset({"accessories", "blur", "exposure", "glasses", "headPose", "noise", "occlusion", "qualityForRecognition"}),
    "detection_02": frozenset(),
    "detection_03": frozenset({"blur", "exposure", "glasses", "headPose", "mask", "occlusion", "qualityForRecognition"}),
}
QUALITY_RECOGNITION_MODELS = ("recognition_03", "recognition_04")
