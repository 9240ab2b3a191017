#!/usr/bin/env python3
"""Serve the Functions app locally (Azure Functions Core Tools cannot be installed here).

    python scripts/local_host.py [--port 7071] [--host 127.0.0.1] [--app function_app:app]
                                 [--settings local.settings.json] [--no-queues] [--no-timers]

HTTP functions are served on their routes (host.json extensions.http.routePrefix,
"api" by default); queue-triggered functions poll their Azure Storage queue through
the connection setting they name (e.g. AzureWebJobsStorage); timer-triggered ones run
on their NCRONTAB schedule. The port defaults to $PORT, else 7071. Ctrl-C or SIGTERM
stops everything.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from devhost.http_server import DEFAULT_MAX_BODY_BYTES  # noqa: E402
from devhost.settings import load_settings_file  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="address to bind (127.0.0.1)")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 7071), help="$PORT, else 7071")
    p.add_argument("--app", default="function_app:app", help="module:attribute of the FunctionApp")
    p.add_argument("--app-dir", type=Path, default=REPO_ROOT, help="the folder with function_app.py and host.json")
    p.add_argument("--settings", type=Path, action="append", default=[],
                   help="a local.settings.json whose Values become environment variables (the environment wins); "
                        "may be repeated, the first file wins")
    p.add_argument("--no-queues", action="store_true", help="do not run queue-triggered functions")
    p.add_argument("--no-timers", action="store_true", help="do not run timer-triggered functions")
    p.add_argument("--max-body-bytes", type=int,
                   default=int(os.environ.get("LOCAL_HOST_MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES))
    p.add_argument("--threads", type=int, default=4, help="workers for queue messages (4)")
    p.add_argument("--log-level", default=os.environ.get("LOCAL_HOST_LOG_LEVEL", "INFO"))
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=getattr(logging, args.log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    log = logging.getLogger("devhost")
    for path in args.settings:
        if path.is_file():
            applied = load_settings_file(path)
            log.info("settings from %s: %s", path, ", ".join(applied) or "(all already set)")
        else:
            log.warning("settings file %s not found", path)

    app_dir = args.app_dir.resolve()
    os.chdir(app_dir)  # like the Functions host: the app's folder is the working directory
    from devhost.functions import load_app
    from devhost.host import LocalHost

    app = load_app(args.app, app_dir)
    host = LocalHost(app, host=args.host, port=args.port, app_dir=app_dir, queues=not args.no_queues,
                     timers=not args.no_timers, max_body_bytes=args.max_body_bytes, worker_threads=args.threads)

    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    host.start()
    print(f"Functions:\n{host.describe()}\n\nLocal host listening on {host.base_url} (Ctrl-C to stop)",
          file=sys.stderr, flush=True)
    try:
        while not stop.wait(3600):
            pass
    finally:
        log.info("stopping")
        host.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
