"""Timer triggers: NCRONTAB schedules in UTC (or WEBSITE_TIME_ZONE), run_on_startup, past_due."""
from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timezone, tzinfo
from typing import Optional

from azure.functions.timer import TimerRequest  # the concrete class (func.TimerRequest is abstract)

from .cron import parse_schedule
from .functions import FunctionInfo, Invoker

log = logging.getLogger("devhost.timer")


def host_timezone() -> tzinfo:
    name = os.environ.get("WEBSITE_TIME_ZONE") or os.environ.get("TZ_FUNCTIONS")
    if name:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(name)
        except Exception:  # noqa: BLE001
            log.warning("unknown WEBSITE_TIME_ZONE %r; using UTC", name)
    return timezone.utc


class TimerTriggerRunner:
    def __init__(self, info: FunctionInfo, invoker: Invoker, schedule_text: str) -> None:
        self.info = info
        self.invoker = invoker
        self.schedule = parse_schedule(schedule_text)
        self.run_on_startup = bool(info.trigger.get("runOnStartup"))
        self.tz = host_timezone()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._last: Optional[datetime] = None
        self.invocations = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"timer-{self.info.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def fire(self, past_due: bool = False, next_time: Optional[datetime] = None) -> None:
        now = self.now()
        nxt = next_time or self.schedule.next_after(now)
        status = {
            "Last": (self._last or now).isoformat(),
            "Next": nxt.isoformat(),
            "LastUpdated": now.isoformat(),
        }
        self._last = now
        self.invocations += 1
        try:
            timer = TimerRequest(past_due=past_due, schedule_status=status, schedule={"AdjustForDST": True})
            self.invoker.call(self.info, timer)
            log.info("timer function %s ran%s", self.info.name, " (past due)" if past_due else "")
        except Exception:  # noqa: BLE001
            log.exception("timer function %s failed", self.info.name)

    def _run(self) -> None:
        if self.run_on_startup and not self._stop.is_set():
            self.fire()
        nxt = self.schedule.next_after(self.now())
        while not self._stop.is_set():
            delay = (nxt - self.now()).total_seconds()
            if delay > 0 and self._stop.wait(delay):
                return
            # past due when this occurrence runs later than planned (e.g. the last run overran it)
            past_due = (self.now() - nxt).total_seconds() > 1.0
            following = self.schedule.next_after(nxt)
            self.fire(past_due=past_due, next_time=following)
            now = self.now()
            if following > now:
                nxt = following
            elif not past_due:
                nxt = following  # overran the next occurrence: run it once now, as past due
            else:
                nxt = self.schedule.next_after(now)  # never replay a backlog
