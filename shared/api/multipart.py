"""multipart/form-data bodies (liveness-with-verify create), parsed with the standard library."""
from __future__ import annotations

from email import policy
from email.parser import BytesParser

from .errors import ApiError


def parse_form(body: bytes, content_type_header: str) -> dict[str, bytes]:
    """Part name (lower-cased) -> raw bytes of the part."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type_header.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ApiError(400, "InvalidRequestBody", "The multipart body could not be parsed.")
    parts: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            parts[str(name).lower()] = part.get_payload(decode=True) or b""
    return parts
