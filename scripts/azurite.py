#!/usr/bin/env python3
"""Azurite, the Azure Storage emulator, installed from npm into .azurite/ of this repo.

    python scripts/azurite.py install
        npm install --prefix .azurite/npm azurite@<pinned>, unless already there.
    python scripts/azurite.py start [--free-ports | --blob-port P --queue-port P --table-port P]
                                    [--location DIR]
        blob, queue and table in the foreground (default ports 10000-10002, data in
        .azurite/data); prints the connection string; Ctrl-C or SIGTERM stops it.
    python scripts/azurite.py run [--free-ports] [--export NAME] -- COMMAND ...
        starts Azurite, runs COMMAND with AZURITE_CONNECTION_STRING and
        FACE_TEST_STORAGE_CONNECTION_STRING (and each --export NAME) set to the
        connection string, stops Azurite afterwards (also on failure or Ctrl-C) and
        exits with COMMAND's exit code.
    python scripts/azurite.py connection-string [--blob-port P ...]
        prints the connection string of the well-known development account.

The account is Azurite's documented development account devstoreaccount1; its key
is public and not a secret.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from devhost import azurite as az  # noqa: E402
from devhost.process import stop_process  # noqa: E402
from devhost.settings import dev_connection_string  # noqa: E402


def _add_port_args(p: argparse.ArgumentParser, location_default: str | None) -> None:
    p.add_argument("--free-ports", action="store_true", help="pick three free ports")
    p.add_argument("--blob-port", type=int, default=az.DEFAULT_PORTS[0])
    p.add_argument("--queue-port", type=int, default=az.DEFAULT_PORTS[1])
    p.add_argument("--table-port", type=int, default=az.DEFAULT_PORTS[2])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--location", type=Path, default=Path(location_default) if location_default else None,
                   help="data folder" + (f" ({location_default})" if location_default else
                                         " (default: a temporary .azurite/data-test-* removed afterwards)"))


def _start(args) -> az.Azurite:
    if args.free_ports:
        return az.Azurite.start_free_ports(location=args.location, host=args.host)
    if args.location is None:
        location = Path(tempfile.mkdtemp(prefix="data-test-", dir=az._ensure(az.AZURITE_HOME)))
        remove = True
    else:
        location, remove = args.location, False
    return az.Azurite(args.blob_port, args.queue_port, args.table_port, Path(location), host=args.host,
                      remove_location=remove).start()


def cmd_install(_args) -> int:
    exe = az.install()
    print(f"azurite {az.installed_version()} at {exe}")
    return 0


def cmd_connection_string(args) -> int:
    print(dev_connection_string(args.blob_port, args.queue_port, args.table_port, args.host))
    return 0


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(3600):
        pass


def cmd_start(args) -> int:
    server = _start(args)
    try:
        print(f"Azurite {az.AZURITE_VERSION}: blob {server.blob_port}, queue {server.queue_port}, "
              f"table {server.table_port}; data in {server.location}", file=sys.stderr)
        print(f"AZURITE_CONNECTION_STRING={server.connection_string}", flush=True)
        _wait_for_signal()
    finally:
        server.stop()
    return 0


def cmd_run(args) -> int:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("azurite.py run: give a command after --", file=sys.stderr)
        return 2
    server = _start(args)
    child = None
    got_signal: list[int] = []

    def forward(signum, _frame):
        # Ctrl-C in a terminal already reached the child (same process group): passing
        # SIGINT on again could cut its clean-up short, so only SIGTERM is forwarded.
        got_signal.append(signum)
        if signum == signal.SIGTERM and child is not None and child.poll() is None:
            child.send_signal(signum)

    try:
        env = dict(os.environ)
        for name in ["AZURITE_CONNECTION_STRING", "FACE_TEST_STORAGE_CONNECTION_STRING", *args.export]:
            env[name] = server.connection_string
        print(f"Azurite {az.AZURITE_VERSION}: blob {server.blob_port}, queue {server.queue_port}, "
              f"table {server.table_port}; data in {server.location}", file=sys.stderr, flush=True)
        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGINT, forward)
        child = subprocess.Popen(command, env=env)
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:
                continue
        if code < 0:
            code = 128 - code  # killed by a signal: the shell's convention
        return code
    finally:
        if child is not None and child.poll() is None:
            stop_process(child)
        server.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("install", help="install the pinned Azurite into .azurite/npm")
    p = sub.add_parser("start", help="run Azurite in the foreground")
    _add_port_args(p, str(az.AZURITE_HOME / "data"))
    p = sub.add_parser("run", help="run a command while Azurite runs")
    _add_port_args(p, None)
    p.add_argument("--export", action="append", default=[], metavar="NAME",
                   help="also set this environment variable to the connection string (e.g. AzureWebJobsStorage)")
    p.add_argument("command", nargs=argparse.REMAINDER)
    p = sub.add_parser("connection-string", help="print the connection string for given ports")
    _add_port_args(p, None)
    args = parser.parse_args(argv)
    return {"install": cmd_install, "start": cmd_start, "run": cmd_run,
            "connection-string": cmd_connection_string}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
