"""LocalHost: serves one FunctionApp's HTTP, queue and timer functions in this process.

    from devhost.host import LocalHost
    with LocalHost(app, port=0) as host:          # port 0: any free port
        requests.get(host.base_url + "/api/hello")

Admin endpoints like the real host's (no key needed locally):
``GET /admin/host/status`` -> ``{"state": "Running", ...}``;
``POST /admin/functions/{name}`` with ``{"input": "..."}`` runs a queue or timer
function once (synchronously here; answers 202 like the real host).
"""
from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

from . import REPO_ROOT
from .cron import CronError
from .functions import FunctionInfo, Invoker, discover
from .http_server import DEFAULT_MAX_BODY_BYTES, FunctionsHTTPServer, _Response, envelope
from .queues import LocalQueueMessage, QueueOptions, QueueTriggerRunner
from .routes import Router, RouteTemplateError
from .settings import (UnresolvedSetting, find_route_prefix, host_json_section, parse_timespan,
                       resolve_expression, storage_connection)
from .timers import TimerTriggerRunner

log = logging.getLogger("devhost")


def queue_options_from_host_json(host_json: Optional[Path]) -> QueueOptions:
    q = host_json_section(host_json, "extensions", "queues")
    d = QueueOptions()
    return QueueOptions(
        batch_size=max(1, min(32, int(q.get("batchSize", d.batch_size)))),
        max_dequeue_count=int(q.get("maxDequeueCount", d.max_dequeue_count)),
        visibility_timeout=parse_timespan(q.get("visibilityTimeout"), d.visibility_timeout),
        max_polling_interval=min(parse_timespan(q.get("maxPollingInterval"), d.max_polling_interval),
                                 d.max_polling_interval),
        message_encoding=str(q.get("messageEncoding", d.message_encoding)),
    )


class LocalHost:
    def __init__(self, app, *, host: str = "127.0.0.1", port: int = 7071, app_dir: Optional[Path] = None,
                 host_json: Optional[Path] = None, route_prefix: Optional[str] = None,
                 queues: bool = True, timers: bool = True, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 queue_options: Optional[QueueOptions] = None, worker_threads: int = 4) -> None:
        self.app = app
        self.bind_host = host
        self.requested_port = port
        self.app_dir = Path(app_dir) if app_dir else REPO_ROOT
        if host_json is None and (self.app_dir / "host.json").is_file():
            host_json = self.app_dir / "host.json"
        self.host_json = host_json
        self.route_prefix = find_route_prefix(host_json) if route_prefix is None else route_prefix
        self.enable_queues = queues
        self.enable_timers = timers
        self.max_body_bytes = max_body_bytes
        self.queue_options = queue_options or queue_options_from_host_json(host_json)
        self.invoker = Invoker(self.app_dir)
        self.functions: list[FunctionInfo] = discover(app)
        self.router = Router(self.route_prefix)
        for info in self.functions:
            if info.trigger_type == "httpTrigger":
                try:
                    self.router.add(info.route, info.methods, info)
                except RouteTemplateError as exc:
                    raise RouteTemplateError(f"function {info.name}: {exc}") from exc
            elif info.trigger_type not in ("queueTrigger", "timerTrigger"):
                log.warning("function %s: trigger %s is not supported by the local host; skipped",
                            info.name, info.trigger_type)
            for b in info.other_bindings:
                log.warning("function %s: %s binding %r is not supported by the local host",
                            info.name, b.get("type"), b.get("name"))
        self._executor = ThreadPoolExecutor(max_workers=worker_threads, thread_name_prefix="devhost-worker")
        self.queue_runners: list[QueueTriggerRunner] = []
        self.timer_runners: list[TimerTriggerRunner] = []
        self._server: Optional[FunctionsHTTPServer] = None
        self._server_thread: Optional[threading.Thread] = None
        self._started = False

    # -- info -------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            return self.requested_port
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        host = self.bind_host if self.bind_host not in ("0.0.0.0", "") else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def http_functions(self) -> list[FunctionInfo]:
        return [f for f in self.functions if f.trigger_type == "httpTrigger"]

    def describe(self) -> str:
        lines = []
        for f in self.functions:
            if f.trigger_type == "httpTrigger":
                methods = ",".join(f.methods or ["*"])
                lines.append(f"  {f.name}: [{methods}] {self.base_url}/{self.router.full_template(f.route)}")
            elif f.trigger_type == "queueTrigger":
                lines.append(f"  {f.name}: queueTrigger {f.trigger.get('queueName')}")
            elif f.trigger_type == "timerTrigger":
                lines.append(f"  {f.name}: timerTrigger {f.trigger.get('schedule')}")
        return "\n".join(lines)

    # -- lifecycle --------------------------------------------------------
    def start(self) -> "LocalHost":
        if self._started:
            return self
        self._server = FunctionsHTTPServer((self.bind_host, self.requested_port), self.router, self.invoker,
                                           max_body_bytes=self.max_body_bytes, admin=self._admin)
        self._server_thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                               name="devhost-http", daemon=True)
        self._server_thread.start()
        if self.enable_queues:
            self._start_queues()
        if self.enable_timers:
            self._start_timers()
        self._started = True
        return self

    def _start_queues(self) -> None:
        for info in self.functions:
            if info.trigger_type != "queueTrigger":
                continue
            try:
                queue_name = resolve_expression(info.trigger["queueName"]).lower()
            except UnresolvedSetting as exc:
                log.error("function %s: app setting %s (in queueName %r) is not set; the function will not run",
                          info.name, exc.args[0], info.trigger["queueName"])
                continue
            setting = info.trigger.get("connection") or "AzureWebJobsStorage"
            conn = storage_connection(setting)
            if conn is None:
                log.error("function %s: connection setting %s is not set; the function will not run",
                          info.name, setting)
                continue
            runner = QueueTriggerRunner(info, self.invoker, conn, queue_name, self.queue_options, self._executor)
            runner.start()
            self.queue_runners.append(runner)
            log.info("function %s polls queue %s", info.name, queue_name)

    def _start_timers(self) -> None:
        for info in self.functions:
            if info.trigger_type != "timerTrigger":
                continue
            try:
                schedule = resolve_expression(info.trigger["schedule"])
                runner = TimerTriggerRunner(info, self.invoker, schedule)
            except (UnresolvedSetting, CronError) as exc:
                log.error("function %s: bad schedule %r (%s); the function will not run",
                          info.name, info.trigger.get("schedule"), exc)
                continue
            runner.start()
            self.timer_runners.append(runner)

    def stop(self) -> None:
        for r in self.timer_runners:
            r._stop.set()
        for r in self.queue_runners:
            r._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
        for r in [*self.timer_runners, *self.queue_runners]:
            r.stop(timeout=5.0)
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.invoker.close()
        self._started = False

    def __enter__(self) -> "LocalHost":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- manual invocation (tests, admin endpoint) ------------------------
    def function(self, name: str) -> FunctionInfo:
        for f in self.functions:
            if f.name.lower() == name.lower():
                return f
        raise KeyError(name)

    def invoke(self, name: str, input: str = "") -> None:  # noqa: A002 - mirrors the admin API
        """Run a queue or timer function once with ``input`` (queue: the message body)."""
        info = self.function(name)
        if info.trigger_type == "timerTrigger":
            from azure.functions.timer import TimerRequest

            self.invoker.call(info, TimerRequest(past_due=False))
        elif info.trigger_type == "queueTrigger":
            msg = LocalQueueMessage(id="admin-invocation", body=input.encode(), pop_receipt=None, dequeue_count=1)
            self.invoker.call(info, msg)
        else:
            raise ValueError(f"function {name} has an {info.trigger_type}; call it over HTTP")

    def _admin(self, method: str, path: str, body: bytes) -> Optional[_Response]:
        parts = [p for p in path.split("/") if p]
        json_headers = [("Content-Type", "application/json; charset=utf-8")]
        if method == "GET" and [p.lower() for p in parts] == ["admin", "host", "status"]:
            payload = {"state": "Running", "functions": [f.name for f in self.functions]}
            return _Response(200, json_headers, json.dumps(payload).encode())
        if method == "POST" and len(parts) == 3 and parts[1].lower() == "functions":
            try:
                info = self.function(parts[2])
            except KeyError:
                return envelope(404, "404", "Resource not found")
            if info.trigger_type == "httpTrigger":
                return envelope(400, "BadArgument", "HTTP functions are called on their own route.")
            try:
                data = json.loads(body or b"{}")
                text = data.get("input", "") if isinstance(data, dict) else ""
            except ValueError:
                return envelope(400, "BadArgument", "The body must be JSON like {\"input\": \"...\"}.")
            try:
                self.invoke(info.name, text if isinstance(text, str) else json.dumps(text))
            except Exception:  # noqa: BLE001
                log.exception("admin invocation of %s failed", info.name)
                return envelope(500, "InternalServerError", "An internal error occurred.")
            return _Response(202, [], b"")
        return None
