"""POST /face/{v}/detect: query parameters in, FaceDetectionResult[] out."""
from __future__ import annotations

from ..imaging.source import load_image
from ..services import detection
from ..services.models import (
    DEFAULT_DETECTION_MODEL,
    DEFAULT_RECOGNITION_MODEL,
    DETECTION_MODELS,
    RECOGNITION_MODELS,
)
from ..settings import get_settings
from .http_types import ApiRequest, ApiResponse
from .params import query_bool, query_choice, query_int


def detect_options(request: ApiRequest) -> detection.DetectOptions:
    detection_model = query_choice(request, "detectionModel", DEFAULT_DETECTION_MODEL, DETECTION_MODELS)
    recognition_model = query_choice(request, "recognitionModel", DEFAULT_RECOGNITION_MODEL, RECOGNITION_MODELS)
    return detection.DetectOptions(
        detection_model=detection_model,
        recognition_model=recognition_model,
        return_face_id=query_bool(request, "returnFaceId", True),
        return_landmarks=query_bool(request, "returnFaceLandmarks", False),
        return_recognition_model=query_bool(request, "returnRecognitionModel", False),
        attributes=detection.parse_attributes(
            request.query.get("returnFaceAttributes"), detection_model, recognition_model
        ),
        face_id_ttl_seconds=query_int(request, "faceIdTimeToLive", 86400, 60, 86400),
    )


def handle_detect(request: ApiRequest) -> ApiResponse:
    # Parameters are checked before the image is fetched or decoded: bad input fails fast and cheap.
    options = detect_options(request)
    image = load_image(request, get_settings())
    return ApiResponse.json(detection.detect(image, options))
