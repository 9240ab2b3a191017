"""Load a FunctionApp, read its functions' metadata and call user functions."""
from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

log = logging.getLogger("devhost")

SUPPORTED_TRIGGERS = ("httpTrigger", "queueTrigger", "timerTrigger")


@dataclass
class FunctionInfo:
    name: str
    trigger_type: str
    trigger: dict  # the trigger binding's dict repr
    arg_name: str
    user_function: Callable[..., Any]
    other_bindings: list[dict] = field(default_factory=list)

    @property
    def route(self) -> str:
        return self.trigger.get("route") or self.name

    @property
    def methods(self) -> Optional[list[str]]:
        ms = self.trigger.get("methods")
        if not ms:
            return None
        return [str(getattr(m, "value", m)).upper() for m in ms]


def load_app(spec: str, app_dir: Optional[Path] = None):
    """'function_app:app' -> the FunctionApp object (app_dir goes first on sys.path)."""
    if app_dir is not None:
        path = str(Path(app_dir).resolve())
        if path not in sys.path:
            sys.path.insert(0, path)
    module_name, _, attr = spec.partition(":")
    module = importlib.import_module(module_name)
    if attr:
        return getattr(module, attr)
    import azure.functions as func

    for value in vars(module).values():
        if isinstance(value, func.FunctionApp):
            return value
    raise LookupError(f"no FunctionApp object in module {module_name!r}")


def _enum_value(v: Any) -> Any:
    return getattr(v, "value", v)


def discover(app) -> list[FunctionInfo]:
    """The app's functions with their trigger binding (as the real host's indexer reads them)."""
    out = []
    for fn in app.get_functions():
        bindings = [{k: _enum_value(v) for k, v in b.get_dict_repr().items()} for b in fn.get_bindings()]
        trigger = next((b for b in bindings if str(b.get("type", "")).endswith("Trigger")), None)
        if trigger is None:
            log.warning("function %s has no trigger; skipped", fn.get_function_name())
            continue
        others = [b for b in bindings if b is not trigger and not (b.get("type") == "http" and b.get("name") == "$return")]
        try:
            params = inspect.signature(fn.get_user_function()).parameters
        except (TypeError, ValueError):
            params = {}
        takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        if params and trigger["name"] not in params and not takes_kwargs:
            log.error("function %s: the trigger binding is named %r but the function has no such parameter "
                      "(the real host refuses this too)", fn.get_function_name(), trigger["name"])
        out.append(FunctionInfo(
            name=fn.get_function_name(),
            trigger_type=trigger["type"],
            trigger=trigger,
            arg_name=trigger["name"],
            user_function=fn.get_user_function(),
            other_bindings=others,
        ))
    return out


class Context:
    """The subset of azure.functions.Context that user code reads."""

    def __init__(self, function_name: str, function_directory: str) -> None:
        self.invocation_id = str(uuid.uuid4())
        self.function_name = function_name
        self.function_directory = function_directory
        self.trace_context = None
        self.retry_context = None
        self.thread_local_storage = threading.local()


class Invoker:
    """Calls user functions: plain ones on the caller's thread, coroutines on one shared event loop."""

    def __init__(self, app_dir: Optional[Path] = None) -> None:
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._lock = threading.Lock()
        self._app_dir = str(app_dir or Path.cwd())

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="devhost-asyncio", daemon=True).start()
                self._loop = loop
            return self._loop

    def call(self, info: FunctionInfo, value: Any) -> Any:
        fn = info.user_function
        kwargs = {info.arg_name: value}
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}
        if "context" in params and "context" not in kwargs:
            kwargs["context"] = Context(info.name, self._app_dir)
        if inspect.iscoroutinefunction(fn):
            return asyncio.run_coroutine_threadsafe(fn(**kwargs), self._event_loop()).result()
        result = fn(**kwargs)
        if inspect.isawaitable(result):
            return asyncio.run_coroutine_threadsafe(_await(result), self._event_loop()).result()
        return result

    def close(self) -> None:
        with self._lock:
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._loop = None


async def _await(awaitable):
    return await awaitable
