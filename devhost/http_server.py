"""The HTTP side of the local host: a threaded stdlib server in front of the app's HTTP functions."""
from __future__ import annotations

import http
import json
import logging
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlsplit

import azure.functions as func

from .functions import FunctionInfo, Invoker
from .routes import Router

log = logging.getLogger("devhost")
access_log = logging.getLogger("devhost.access")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
KEEP_ALIVE_IDLE_SECONDS = 120


class BodyTooLarge(Exception):
    pass


class BadRequestBody(Exception):
    pass


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


def _plain_headers(status: int, code: str) -> list[tuple[str, str]]:
    return [("Content-Type", "application/json; charset=utf-8"), ("x-ms-error-code", code)]


class _Response:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def envelope(status: int, code: str, message: str, extra: Optional[list[tuple[str, str]]] = None) -> _Response:
    return _Response(status, _plain_headers(status, code) + (extra or []), error_body(code, message))


def convert_response(result: Any) -> _Response:
    """An azure.functions.HttpResponse (or str/bytes) -> status, header list, body."""
    if isinstance(result, func.HttpResponse):
        headers = [(k, str(v)) for k, v in result.headers.items()]
        names = {k.lower() for k, _ in headers}
        if "content-type" not in names:
            mimetype = result.mimetype or "text/plain"
            ctype = f"{mimetype}; charset={result.charset}" if result.charset and (
                mimetype.startswith("text/") or mimetype in ("application/json", "application/xml")) else mimetype
            headers.append(("Content-Type", ctype))
        return _Response(int(result.status_code), headers, result.get_body() or b"")
    if isinstance(result, (bytes, bytearray)):
        return _Response(200, [("Content-Type", "application/octet-stream")], bytes(result))
    if isinstance(result, str):
        return _Response(200, [("Content-Type", "text/plain; charset=utf-8")], result.encode())
    raise TypeError(f"an HTTP function returned {type(result).__name__}, not azure.functions.HttpResponse")


class FunctionsHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address, router: Router, invoker: Invoker, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 admin: Optional[Callable[[str, str, bytes], Optional[_Response]]] = None) -> None:
        self.router = router
        self.invoker = invoker
        self.max_body_bytes = max_body_bytes
        self.admin = admin
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(address, _Handler)

    # keep track of open (keep-alive) connections so stop() can close them
    def process_request(self, request, client_address):
        with self._conn_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._conn_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("connection from %s ended: %s", client_address, exc)
        else:
            log.exception("error on a connection from %s", client_address)

    def close_connections(self) -> None:
        with self._conn_lock:
            conns = list(self._connections)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "devhost"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = KEEP_ALIVE_IDLE_SECONDS
    server: FunctionsHTTPServer

    # every method (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ...) goes to one place
    def __getattr__(self, name: str):
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s - %s", self.address_string(), format % args)

    def log_error(self, format: str, *args) -> None:  # noqa: A002
        log.info("%s - %s", self.address_string(), format % args)

    # -- body -------------------------------------------------------------
    def _read_body(self) -> bytes:
        limit = self.server.max_body_bytes
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            return self._read_chunked(limit)
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            raise BadRequestBody("bad Content-Length") from None
        if length < 0:
            raise BadRequestBody("bad Content-Length")
        if length > limit:
            raise BodyTooLarge()
        data = self.rfile.read(length) if length else b""
        if len(data) != length:
            raise BadRequestBody("truncated body")
        return data

    def _read_chunked(self, limit: int) -> bytes:
        chunks = []
        total = 0
        while True:
            line = self.rfile.readline(65537)
            if not line:
                raise BadRequestBody("truncated chunked body")
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BadRequestBody("bad chunk size") from None
            if size == 0:
                # trailers until an empty line
                while True:
                    trailer = self.rfile.readline(65537)
                    if trailer in (b"\r\n", b"\n", b""):
                        break
                return b"".join(chunks)
            total += size
            if total > limit:
                raise BodyTooLarge()
            data = self.rfile.read(size)
            if len(data) != size:
                raise BadRequestBody("truncated chunk")
            chunks.append(data)
            self.rfile.readline(3)  # CRLF after the chunk

    # -- response ---------------------------------------------------------
    def _write(self, resp: _Response) -> None:
        status = resp.status
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        lines = [f"HTTP/1.1 {status} {phrase}".rstrip()]
        no_body = status < 200 or status in (204, 304) or self.command == "HEAD"
        for k, v in resp.headers:
            lk = k.lower()
            if lk in ("content-length", "transfer-encoding", "connection"):
                continue
            if "\n" in v or "\r" in v:
                continue
            lines.append(f"{k}: {v}")
        if status >= 200 and status not in (204, 304):
            lines.append(f"Content-Length: {len(resp.body)}")
        lines.append(f"Date: {self.date_time_string()}")
        lines.append(f"Server: {self.server_version}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
        self.wfile.write(head if no_body else head + resp.body)

    # -- dispatch ---------------------------------------------------------
    def _dispatch(self) -> None:
        started = time.perf_counter()
        method = self.command.upper()
        raw_path = self.path
        if raw_path.startswith(("http://", "https://")):
            parts = urlsplit(raw_path)
            raw_path = parts.path + (("?" + parts.query) if parts.query else "")
        path, _, query = raw_path.partition("?")
        try:
            resp = self._respond(method, path, query)
        except Exception:  # noqa: BLE001 - nothing may escape to the client
            log.exception("local host failed on %s %s", method, path)
            resp = envelope(500, "InternalServerError", "An internal error occurred.")
        try:
            self._write(resp)
        except OSError:
            self.close_connection = True
        # personIds and faceIds in paths are secrets tied to a person: never at INFO
        access_log.info("%s %s %d %.1fms", method, _UUID.sub("{id}", path), resp.status,
                        (time.perf_counter() - started) * 1000)

    def _respond(self, method: str, path: str, query: str) -> _Response:
        try:
            body = self._read_body()
        except BodyTooLarge:
            self.close_connection = True  # the rest of the body is not read
            return envelope(413, "RequestEntityTooLarge", "The request body is too large.")
        except BadRequestBody as exc:
            self.close_connection = True
            return envelope(400, "BadArgument", f"Invalid request body: {exc}.")
        return self._handle(method, path, query, body)

    def _handle(self, method: str, path: str, query: str, body: bytes) -> _Response:
        if self.server.admin is not None and path.lower().startswith("/admin/"):
            resp = self.server.admin(method, path, body)
            if resp is not None:
                return resp
        res = self.server.router.resolve(method, path)
        if res.status == 404:
            return envelope(404, "404", "Resource not found")
        if res.status == 405:
            return envelope(405, "405", "Method not allowed", [("Allow", ", ".join(res.allowed))])
        info: FunctionInfo = res.target
        headers: dict[str, str] = {}
        for k, v in self.headers.items():
            headers[k] = f"{headers[k]}, {v}" if k in headers else v
        params: dict[str, str] = {}
        for k, v in parse_qsl(query, keep_blank_values=True):
            params.setdefault(k, v)
        host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
        url = f"http://{host}{path}" + (f"?{query}" if query else "")
        req = func.HttpRequest(method, url, headers=headers, params=params, route_params=res.route_params, body=body)
        try:
            result = self.server.invoker.call(info, req)
            return convert_response(result)
        except Exception:  # noqa: BLE001 - log server-side, never send the trace
            log.exception("function %s raised on %s %s", info.name, method, path)
            return envelope(500, "InternalServerError", "An internal error occurred.")
