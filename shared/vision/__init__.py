"""Face vision core: model pack, sessions, detector, landmarks, alignment, templates, attributes,
calibration. The public entry point is shared.vision.pipeline (see docs/vision.md)."""
