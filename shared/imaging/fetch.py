"""Download an image from a client-supplied URL without letting the URL reach internal networks."""
from __future__ import annotations

import ipaddress
import logging
import socket
import time
from urllib.parse import urljoin, urlsplit

import requests

from ..api.errors import invalid_image_size, invalid_url
from .limits import MAX_IMAGE_BYTES

log = logging.getLogger(__name__)

_session = requests.Session()
_session.trust_env = False  # a proxy from the environment must not bypass the address checks


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified
    )


def _check_target(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid_url("Invalid image URL.")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError):
        raise invalid_url("Failed to download image from the specified URL: the host name could not be resolved.") from None
    # Every resolved address must be public; otherwise a second resolution could pick the private one.
    if not all(_is_public(info[4][0]) for info in infos):
        raise invalid_url("Invalid image URL: the address is not publicly routable.")


def fetch_image(url: str, *, allow_private: bool, timeout: float, max_redirects: int) -> bytes:
    deadline = time.monotonic() + timeout
    current = url
    for _ in range(max_redirects + 1):
        _check_target(current, allow_private)
        try:
            response = _session.get(current, stream=True, allow_redirects=False, timeout=(min(5.0, timeout), timeout))
        except requests.RequestException as error:
            log.info("image download failed: %s", type(error).__name__)
            raise invalid_url("Failed to download image from the specified URL.") from None
        with response:
            if response.is_redirect:
                location = response.headers.get("Location")
                if not location:
                    raise invalid_url("Failed to download image from the specified URL: redirect without a location.")
                current = urljoin(current, location)
                continue
            if response.status_code != 200:
                raise invalid_url(
                    f"Failed to download image from the specified URL. Remote server error returned: {response.status_code}."
                )
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_IMAGE_BYTES:
                raise invalid_image_size("Image size is too big.")
            chunks: list[bytes] = []
            total = 0
            try:
                for chunk in response.iter_content(64 * 1024):
                    total += len(chunk)
                    if total > MAX_IMAGE_BYTES:
                        raise invalid_image_size("Image size is too big.")
                    if time.monotonic() > deadline:
                        raise invalid_url("Failed to download image from the specified URL: timed out.")
                    chunks.append(chunk)
            except requests.RequestException:
                raise invalid_url("Failed to download image from the specified URL.") from None
            return b"".join(chunks)
    raise invalid_url("Failed to download image from the specified URL: too many redirects.")
