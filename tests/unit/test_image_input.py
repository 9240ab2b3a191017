"""Image decoding and URL fetching rules (Azure's InvalidImage / InvalidImageSize / InvalidURL)."""
from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image

from shared.api.errors import ApiError
from shared.imaging.decode import decode_image
from shared.imaging.fetch import fetch_image

MAX_PIXELS = 40_000_000


def _noise_image(width: int, height: int) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8))


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "BMP", "GIF"])
def test_accepted_formats_decode_to_bgr(fmt):
    img = Image.new("RGB", (80, 60), (255, 0, 0))
    # noise keeps the file above Azure's 1 KB minimum
    img.paste(_noise_image(40, 30), (0, 0))
    pixels = decode_image(_encode(img, fmt), MAX_PIXELS)
    assert pixels.shape == (60, 80, 3)
    assert pixels.dtype == np.uint8
    b, g, r = pixels[50, 70]
    assert r > 200 and g < 60 and b < 60  # pure red stays red: channels are in BGR order


def test_gif_uses_first_frame():
    first = Image.new("RGB", (64, 64), (0, 0, 255))
    first.paste(_noise_image(32, 32), (0, 0))
    second = Image.new("RGB", (64, 64), (0, 255, 0))
    data = _encode(first, "GIF", save_all=True, append_images=[second])
    pixels = decode_image(data, MAX_PIXELS)
    b, g, r = pixels[60, 60]
    assert b > 200 and g < 60


def test_exif_orientation_is_applied():
    img = _noise_image(120, 60)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when displayed
    pixels = decode_image(_encode(img, "JPEG", exif=exif), MAX_PIXELS)
    assert pixels.shape[:2] == (120, 60)


def test_too_small_and_too_big_files():
    with pytest.raises(ApiError) as small:
        decode_image(b"\xff\xd8" + b"0" * 100, MAX_PIXELS)
    assert (small.value.status, small.value.code) == (400, "InvalidImageSize")
    with pytest.raises(ApiError) as big:
        decode_image(b"0" * (6 * 1024 * 1024 + 1), MAX_PIXELS)
    assert big.value.code == "InvalidImageSize"


def test_unsupported_format_and_garbage_are_invalid_image():
    tiff = _encode(_noise_image(64, 64), "TIFF")
    for data in (tiff, b"not an image at all" * 100):
        with pytest.raises(ApiError) as err:
            decode_image(data, MAX_PIXELS)
        assert err.value.code == "InvalidImage"


def test_truncated_jpeg_is_invalid_image():
    data = _encode(_noise_image(400, 400), "JPEG")
    with pytest.raises(ApiError) as err:
        decode_image(data[: len(data) // 2], MAX_PIXELS)
    assert err.value.code == "InvalidImage"


def test_pixel_cap_is_checked_from_the_header():
    # a 3000x3000 flat PNG is a few KB on disk but 9 MP once decoded
    data = _encode(Image.new("RGB", (3000, 3000), (10, 10, 10)), "PNG")
    assert len(data) < 100_000
    with pytest.raises(ApiError) as err:
        decode_image(data, max_pixels=1_000_000)
    assert err.value.code == "InvalidImageSize"


# ---- URL fetching -------------------------------------------------------------------------

JPEG = _encode(_noise_image(200, 200), "JPEG")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):  # noqa: N802
        if self.path == "/img.jpg":
            self._send(200, JPEG)
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/img.jpg")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(200)
            self.end_headers()  # no Content-Length: the cap must hold while streaming
            chunk = b"0" * 65536
            try:
                for _ in range(200):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            self._send(404, b"missing")

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def image_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _fetch(url, allow_private=True):
    return fetch_image(url, allow_private=allow_private, timeout=5, max_redirects=3)


def test_fetch_follows_a_redirect(image_server):
    assert _fetch(f"{image_server}/redirect") == JPEG


@pytest.mark.parametrize(
    "path,code",
    [("/missing", "InvalidURL"), ("/loop", "InvalidURL"), ("/huge", "InvalidImageSize")],
)
def test_fetch_failures(image_server, path, code):
    with pytest.raises(ApiError) as err:
        _fetch(image_server + path)
    assert err.value.code == code


def test_private_and_loopback_addresses_are_refused_by_default(image_server):
    for url in (f"{image_server}/img.jpg", "http://10.1.2.3/x.jpg", "http://169.254.169.254/latest/meta-data",
                "http://[::1]/x.jpg", "http://localhost/x.jpg"):
        with pytest.raises(ApiError) as err:
            _fetch(url, allow_private=False)
        assert err.value.code == "InvalidURL"


@pytest.mark.parametrize("url", ["ftp://example.com/a.jpg", "file:///etc/passwd", "not a url", "http:///nohost"])
def test_only_http_urls(url):
    with pytest.raises(ApiError) as err:
        _fetch(url)
    assert err.value.code == "InvalidURL"


def test_the_connection_goes_to_the_address_that_was_checked(image_server, monkeypatch):
    """DNS rebinding: a name that resolves to a public address when checked and to a private one
    later must still be fetched from the checked address, never the later one."""
    import socket

    from shared.imaging import fetch

    port = int(image_server.rsplit(":", 1)[1])
    answers = iter([("127.0.0.1",), ("10.255.255.1",)])
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "images.example":
            (address,) = next(answers)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(fetch.socket, "getaddrinfo", rebinding)
    # allowed here only so that the first (loopback) answer passes; the point is the second is never used
    assert fetch.fetch_image(f"http://images.example:{port}/img.jpg", allow_private=True, timeout=5, max_redirects=0) == JPEG
