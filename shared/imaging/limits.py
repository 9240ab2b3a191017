"""Azure's image-file limits."""
MIN_IMAGE_BYTES = 1024
MAX_IMAGE_BYTES = 6 * 1024 * 1024
