"""Start the local host as a subprocess (for tests and benchmarks) and wait for ports."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Mapping, Optional, Sequence

from . import REPO_ROOT

LOCAL_HOST_SCRIPT = REPO_ROOT / "scripts" / "local_host.py"


def free_ports(count: int = 1, host: str = "127.0.0.1") -> list[int]:
    """Ports that were free a moment ago (held together so that they are distinct)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port(host: str = "127.0.0.1") -> int:
    return free_ports(1, host)[0]


def port_open(host: str, port: int, timeout: float = 0.2) -> bool:
    try:
        with closing(socket.create_connection((host, port), timeout=timeout)):
            return True
    except OSError:
        return False


def wait_for_ports(host: str, ports: Sequence[int], timeout: float, proc: Optional[subprocess.Popen] = None,
                   what: str = "process", log_path: Optional[Path] = None) -> None:
    """Wait until every port accepts connections; fail early if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    pending = list(ports)
    while pending:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before listening on "
                               f"{host}:{pending[0]}{_tail(log_path)}")
        pending = [p for p in pending if not port_open(host, p)]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not listen on {host}:{pending} within {timeout:.0f} s{_tail(log_path)}")
        time.sleep(0.05)


def _tail(path: Optional[Path], lines: int = 40) -> str:
    if path is None or not Path(path).is_file():
        return ""
    text = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"\n--- last lines of {path} ---\n" + "\n".join(text)


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> Optional[int]:
    """SIGTERM (then SIGKILL) one process that we started, and reap it."""
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
        except ProcessLookupError:
            pass
    return proc.returncode


class LocalHostProcess:
    """``python scripts/local_host.py --port N`` in a subprocess, logging to a file."""

    def __init__(self, port: Optional[int] = None, env: Optional[Mapping[str, str]] = None,
                 log_path: Optional[Path] = None, args: Sequence[str] = (), host: str = "127.0.0.1",
                 python: Optional[str] = None, cwd: Optional[Path] = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.env = dict(os.environ if env is None else env)
        self.env.setdefault("PYTHONUNBUFFERED", "1")
        self.log_path = Path(log_path) if log_path else None
        self.args = list(args)
        self.python = python or sys.executable
        self.cwd = Path(cwd) if cwd else REPO_ROOT
        self.proc: Optional[subprocess.Popen] = None
        self.started_at: Optional[float] = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, wait: bool = True, timeout: float = 60.0) -> "LocalHostProcess":
        cmd = [self.python, str(LOCAL_HOST_SCRIPT), "--host", self.host, "--port", str(self.port), *self.args]
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = open(self.log_path, "ab")
            out = self._log
        else:
            out = subprocess.DEVNULL
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=str(self.cwd), stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        try:
            wait_for_ports(self.host, [self.port], timeout, self.proc, "the local host", self.log_path)
        except Exception:
            self.stop()
            raise

    def stop(self) -> Optional[int]:
        code = None
        if self.proc is not None:
            code = stop_process(self.proc)
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def __enter__(self) -> "LocalHostProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
