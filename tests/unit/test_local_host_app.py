"""A throwaway FunctionApp for the local host's own tests, and tests of how the host reads it.

``make_app()`` builds a fresh app whose functions record what they receive; the module's
``app`` is one such app, which the subprocess test serves with
``scripts/local_host.py --app tests.unit.test_local_host_app:app``.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import threading

import azure.functions as func
import pytest
import requests

from devhost.functions import discover
from devhost.process import LocalHostProcess


class Recorder:
    """What the non-HTTP functions saw."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[dict] = []
        self.timer_calls: list[dict] = []
        self.changed = threading.Condition(self.lock)

    def add(self, bucket: str, item: dict) -> None:
        with self.changed:
            getattr(self, bucket).append(item)
            self.changed.notify_all()

    def wait_for(self, predicate, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self), timeout)


def make_app(recorder: Recorder | None = None, *, queue_name: str = "%DEVHOST_TEST_QUEUE%",
             timer_schedule: str = "*/1 * * * * *") -> func.FunctionApp:
    rec = recorder or Recorder()
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    app.recorder = rec  # type: ignore[attr-defined]
    bp = func.Blueprint()

    def describe(req: func.HttpRequest, which: str) -> func.HttpResponse:
        body = req.get_body()
        payload = {
            "function": which,
            "method": req.method,
            "url": req.url,
            "params": dict(req.params),
            "route": dict(req.route_params),
            "contentType": req.headers.get("content-type"),
            "length": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        return func.HttpResponse(json.dumps(payload), mimetype="application/json")

    @bp.route(route="items/{id:int}", methods=["GET"])
    def item_by_number(req: func.HttpRequest) -> func.HttpResponse:
        return describe(req, "item_by_number")

    @bp.route(route="items/{name:alpha}", methods=["GET"])
    def item_by_name(req: func.HttpRequest) -> func.HttpResponse:
        return describe(req, "item_by_name")

    @bp.route(route="face/{apiVersion}/persongroups/{personGroupId}/training", methods=["GET"])
    def training(req: func.HttpRequest) -> func.HttpResponse:
        return describe(req, "training")

    @bp.route(route="face/{apiVersion}/persongroups/{personGroupId}/{x}", methods=["GET", "DELETE"])
    def generic(req: func.HttpRequest) -> func.HttpResponse:
        return describe(req, "generic")

    @bp.route(route="optional/{a?}", methods=["GET"])
    def optional(req: func.HttpRequest) -> func.HttpResponse:
        return describe(req, "optional")

    @bp.route(route="echo", methods=["POST", "PUT"], trigger_arg_name="request")
    async def echo(request: func.HttpRequest) -> func.HttpResponse:  # a coroutine, bound as "request"
        await asyncio.sleep(0)
        return describe(request, "echo")

    @bp.route(route="boom")
    def boom(req: func.HttpRequest) -> func.HttpResponse:
        raise RuntimeError("SECRET-DETAIL-THAT-MUST-NOT-LEAK")

    @bp.route(route="headers", methods=["GET"])
    def headers(req: func.HttpRequest) -> func.HttpResponse:
        resp = func.HttpResponse("plain text", status_code=201, headers={"X-One": "1"})
        resp.headers.add("Set-Cookie", "a=1")
        resp.headers.add("Set-Cookie", "b=2")
        return resp

    @bp.route(route="nocontent", methods=["DELETE"])
    def nocontent(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse(status_code=204)

    @bp.queue_trigger(arg_name="msg", queue_name=queue_name, connection="DevhostTestStorage")
    def on_message(msg: func.QueueMessage) -> None:
        body = msg.get_body()
        rec.add("messages", {"id": msg.id, "body": body, "dequeue_count": msg.dequeue_count})
        if body.startswith(b"fail"):
            raise ValueError("this message always fails")

    @bp.timer_trigger(schedule=timer_schedule, arg_name="timer", run_on_startup=True)
    def tick(timer: func.TimerRequest) -> None:
        rec.add("timer_calls", {"past_due": timer.past_due, "next": timer.schedule_status.get("Next")})

    app.register_functions(bp)
    return app


app = make_app()


def test_discover_reads_triggers_and_bindings():
    infos = {f.name: f for f in discover(make_app())}
    assert infos["item_by_number"].trigger_type == "httpTrigger"
    assert infos["item_by_number"].route == "items/{id:int}"
    assert infos["item_by_number"].methods == ["GET"]
    assert infos["echo"].arg_name == "request"
    assert infos["boom"].methods is None  # no methods: every method
    assert infos["on_message"].trigger["queueName"] == "%DEVHOST_TEST_QUEUE%"
    assert infos["on_message"].trigger["connection"] == "DevhostTestStorage"
    assert infos["tick"].trigger["schedule"] == "*/1 * * * * *"
    assert infos["tick"].trigger["runOnStartup"] is True


def test_subprocess_serves_the_app(tmp_path):
    """``scripts/local_host.py`` as the service fixture runs it: a port, env, a log file."""
    host = LocalHostProcess(
        args=["--app", "tests.unit.test_local_host_app:app", "--no-queues", "--no-timers"],
        log_path=tmp_path / "host.log", python=sys.executable,
    )
    with host:
        with requests.Session() as s:
            r = s.get(f"{host.base_url}/items/42", params={"q": "v"}, timeout=10)
            assert r.status_code == 200, r.text
            assert r.json()["route"] == {"id": "42"}
            assert r.json()["url"] == f"{host.base_url}/items/42?q=v"
            r = s.get(f"{host.base_url}/admin/host/status", timeout=10)
            assert r.json()["state"] == "Running"
        code = host.stop()
    assert code == 0
    log = (tmp_path / "host.log").read_text()
    assert "GET /items/42 200" in log  # one access line, path without the query string
    assert "q=v" not in log


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
