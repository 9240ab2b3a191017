"""Turn image bytes into a BGR pixel array, enforcing Azure's format and size rules."""
from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..api.errors import invalid_image, invalid_image_size
from .limits import MAX_IMAGE_BYTES, MIN_IMAGE_BYTES

# MPO is the multi-picture JPEG that phone cameras write; it is a JPEG to clients.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "GIF", "BMP"}

# We enforce our own pixel cap below, so Pillow's global bomb guard is not relied on.
Image.MAX_IMAGE_PIXELS = None


def check_size(data: bytes) -> None:
    if len(data) < MIN_IMAGE_BYTES:
        raise invalid_image_size("Image size is too small.")
    if len(data) > MAX_IMAGE_BYTES:
        raise invalid_image_size("Image size is too big.")


def decode_image(data: bytes, max_pixels: int) -> np.ndarray:
    """Decode JPEG/PNG/GIF(first frame)/BMP with EXIF orientation applied; returns HxWx3 uint8 BGR."""
    check_size(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img = Image.open(io.BytesIO(data))
            if img.format not in ACCEPTED_FORMATS:
                raise invalid_image("Decoding error, image format unsupported.")
            width, height = img.size
            # Checked from the header, before any pixel is decoded: a small file can claim huge dimensions.
            if width * height > max_pixels:
                raise invalid_image_size(
                    f"Image dimensions {width}x{height} exceed the limit of {max_pixels} pixels."
                )
            if width < 36 or height < 36:
                raise invalid_image_size("Image dimensions are too small; the minimum is 36x36 pixels.")
            img.seek(0)
            img = ImageOps.exif_transpose(img)
            rgb = np.asarray(img.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise invalid_image("Invalid image format or corrupted image.") from None
    return np.ascontiguousarray(rgb[:, :, ::-1])
