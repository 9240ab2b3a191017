"""Azurite (the Azure Storage emulator) from npm, installed into the project folder.

    from devhost.azurite import Azurite, install
    install()                                  # npm install --prefix .azurite/npm azurite@VERSION
    with Azurite.start_free_ports() as az:     # blob, queue and table on free ports
        print(az.connection_string)
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import REPO_ROOT
from .process import free_ports, stop_process, wait_for_ports
from .settings import dev_connection_string

AZURITE_VERSION = "3.37.0"
AZURITE_HOME = REPO_ROOT / ".azurite"
NPM_PREFIX = AZURITE_HOME / "npm"
DEFAULT_PORTS = (10000, 10001, 10002)  # blob, queue, table


def azurite_bin(prefix: Path = NPM_PREFIX) -> Path:
    return prefix / "node_modules" / ".bin" / "azurite"


def installed_version(prefix: Path = NPM_PREFIX) -> Optional[str]:
    pkg = prefix / "node_modules" / "azurite" / "package.json"
    if not pkg.is_file() or not azurite_bin(prefix).exists():
        return None
    try:
        return json.loads(pkg.read_text(encoding="utf-8")).get("version")
    except ValueError:
        return None


def is_installed(prefix: Path = NPM_PREFIX) -> bool:
    return installed_version(prefix) == AZURITE_VERSION


def install(prefix: Path = NPM_PREFIX, quiet: bool = False) -> Path:
    """Install the pinned Azurite with npm into ``prefix`` unless it is already there."""
    if is_installed(prefix):
        return azurite_bin(prefix)
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed: Azurite (the storage emulator) comes from npm")
    prefix.mkdir(parents=True, exist_ok=True)
    if not quiet:
        print(f"Installing azurite@{AZURITE_VERSION} into {prefix} ...", flush=True)
    cmd = [npm, "install", "--prefix", str(prefix), f"azurite@{AZURITE_VERSION}",
           "--no-audit", "--no-fund", "--loglevel=error"]
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0 or not is_installed(prefix):
        raise RuntimeError(f"npm install azurite@{AZURITE_VERSION} failed:\n{result.stdout[-4000:]}")
    return azurite_bin(prefix)


_ENDPOINT = re.compile(r"(Blob|Queue|Table)Endpoint=https?://[^:/;]+:(\d+)", re.IGNORECASE)


def ports_from_connection_string(conn: str) -> dict[str, int]:
    """{'blob': 10000, 'queue': 10001, 'table': 10002} from an Azurite connection string."""
    if conn.strip().rstrip(";").lower() == "usedevelopmentstorage=true":
        return dict(zip(("blob", "queue", "table"), DEFAULT_PORTS))
    return {m.group(1).lower(): int(m.group(2)) for m in _ENDPOINT.finditer(conn)}


@dataclass
class Azurite:
    """A running (or about to run) Azurite with blob, queue and table services."""

    blob_port: int
    queue_port: int
    table_port: int
    location: Path
    host: str = "127.0.0.1"
    log_path: Optional[Path] = None
    remove_location: bool = False
    proc: Optional[subprocess.Popen] = field(default=None, repr=False)
    _log: object = field(default=None, repr=False)
    _log_offset: int = field(default=0, repr=False)

    @property
    def connection_string(self) -> str:
        return dev_connection_string(self.blob_port, self.queue_port, self.table_port, self.host)

    @property
    def ports(self) -> tuple[int, int, int]:
        return (self.blob_port, self.queue_port, self.table_port)

    @classmethod
    def start_free_ports(cls, location: Optional[Path] = None, **kw) -> "Azurite":
        """Start on free ports; the data folder is temporary unless ``location`` is given."""
        last: Optional[Exception] = None
        for _ in range(3):  # a port may be taken between choosing and binding it
            blob, queue, table = free_ports(3)
            remove = location is None
            loc = location or Path(tempfile.mkdtemp(prefix="data-test-", dir=_ensure(AZURITE_HOME)))
            az = cls(blob, queue, table, Path(loc), remove_location=remove, **kw)
            try:
                return az.start()
            except Exception as exc:  # noqa: BLE001
                last = exc
        raise RuntimeError(f"Azurite did not start: {last}")

    def start(self, timeout: float = 60.0) -> "Azurite":
        exe = install()
        self.location.mkdir(parents=True, exist_ok=True)
        if self.log_path is None:
            self.log_path = self.location / "azurite.log"
        self._log = open(self.log_path, "ab")
        cmd = [
            str(exe),
            "--blobHost", self.host, "--blobPort", str(self.blob_port),
            "--queueHost", self.host, "--queuePort", str(self.queue_port),
            "--tableHost", self.host, "--tablePort", str(self.table_port),
            "--location", str(self.location),
            "--skipApiVersionCheck", "--loose", "--silent",
        ]
        env = dict(os.environ)
        env.pop("AZURITE_ACCOUNTS", None)  # the well-known dev account only
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env)
        try:
            wait_for_ports(self.host, self.ports, timeout, self.proc, "Azurite", self.log_path)
        except Exception:
            self.stop()
            raise
        self._log_offset = self.log_path.stat().st_size  # count clean closes from here on
        return self

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM; once all three services say they closed (data saved), do not wait for node's timers.

        Azurite's node process can linger for up to ~25 s after closing its services
        (pending GC timers), so it is killed once the log shows the clean close.
        """
        if self.proc is not None:
            proc, self.proc = self.proc, None
            if proc.poll() is None:
                start = self._log_offset
                proc.send_signal(signal.SIGTERM)
                deadline = time.monotonic() + timeout
                while proc.poll() is None and time.monotonic() < deadline:
                    if self._closed_count(start) >= 3:
                        try:
                            proc.wait(0.3)
                        except subprocess.TimeoutExpired:
                            proc.kill()
                        break
                    time.sleep(0.05)
                stop_process(proc, timeout=2.0)
        if self._log is not None:
            self._log.close()  # type: ignore[attr-defined]
            self._log = None
        if self.remove_location:
            shutil.rmtree(self.location, ignore_errors=True)

    def _closed_count(self, offset: int) -> int:
        if self.log_path is None or not self.log_path.exists():
            return 0
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            return f.read().count(b"successfully closed")

    def __enter__(self) -> "Azurite":
        return self if self.proc is not None else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
