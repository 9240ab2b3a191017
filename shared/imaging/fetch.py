"""Download an image from a client-supplied URL without letting the URL reach internal networks.

The host name is resolved once, every address it resolves to must be public, and the connection
goes to that very address (with the original name for Host, SNI and certificate checks). A second
DNS answer cannot switch the target to a private address between the check and the connection.
"""
from __future__ import annotations

import ipaddress
import logging
import socket
import time
from urllib.parse import urljoin, urlsplit

import urllib3

from ..api.errors import invalid_image_size, invalid_url
from .limits import MAX_IMAGE_BYTES

log = logging.getLogger(__name__)
_CHUNK = 64 * 1024


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified
    )


def _target(url: str, allow_private: bool) -> tuple[str, str, int, str]:
    """(scheme, host name, port, the address to connect to)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid_url("Invalid image URL.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise invalid_url("Invalid image URL.") from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise invalid_url("Failed to download image from the specified URL: the host name could not be resolved.") from None
    addresses = [info[4][0] for info in infos]
    if not allow_private and not all(_is_public(a) for a in addresses):
        raise invalid_url("Invalid image URL: the address is not publicly routable.")
    return parts.scheme, parts.hostname, port, addresses[0]


def _get(url: str, allow_private: bool, timeout: float) -> urllib3.BaseHTTPResponse:
    scheme, host, port, address = _target(url, allow_private)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pool_timeout = urllib3.Timeout(connect=min(5.0, timeout), read=timeout)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, port, timeout=pool_timeout, retries=False, server_hostname=host, assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=pool_timeout, retries=False)
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    return pool.urlopen("GET", path, headers={"Host": host_header, "User-Agent": "face-api-image-fetch"},
                        redirect=False, preload_content=False)


def fetch_image(url: str, *, allow_private: bool, timeout: float, max_redirects: int) -> bytes:
    deadline = time.monotonic() + timeout
    current = url
    for _ in range(max_redirects + 1):
        try:
            response = _get(current, allow_private, timeout)
        except urllib3.exceptions.HTTPError as error:
            log.info("image download failed: %s", type(error).__name__)
            raise invalid_url("Failed to download image from the specified URL.") from None
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise invalid_url("Failed to download image from the specified URL: redirect without a location.")
                current = urljoin(current, location)
                continue
            if response.status != 200:
                raise invalid_url(
                    f"Failed to download image from the specified URL. Remote server error returned: {response.status}."
                )
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_IMAGE_BYTES:
                raise invalid_image_size("Image size is too big.")
            chunks: list[bytes] = []
            total = 0
            try:
                for chunk in response.stream(_CHUNK):
                    total += len(chunk)
                    if total > MAX_IMAGE_BYTES:
                        raise invalid_image_size("Image size is too big.")
                    if time.monotonic() > deadline:
                        raise invalid_url("Failed to download image from the specified URL: timed out.")
                    chunks.append(chunk)
            except urllib3.exceptions.HTTPError:
                raise invalid_url("Failed to download image from the specified URL.") from None
            return b"".join(chunks)
        finally:
            response.release_conn()
            response.close()
    raise invalid_url("Failed to download image from the specified URL: too many redirects.")
