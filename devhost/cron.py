"""NCRONTAB schedules as the Functions timer trigger reads them.

Six fields ``second minute hour day month day-of-week`` (five fields mean second 0),
each ``*``, a number, a list ``a,b``, a range ``a-b``, a step ``*/n`` / ``a-b/n`` /
``a/n``, month names JAN..DEC and day names SUN..SAT (0 or 7 = Sunday).
A ``hh:mm:ss`` TimeSpan (the other form the host accepts) means "every that long".
Like NCrontab, day-of-month and day-of-week must both match.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

__all__ = ["CronSchedule", "IntervalSchedule", "parse_schedule", "CronError"]


class CronError(ValueError):
    pass


_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}
_DAYS = {d: i for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split())}

# (name, lowest, highest, names)
_FIELDS = (
    ("second", 0, 59, None),
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day", 1, 31, None),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 0, 7, _DAYS),
)


def _value(token: str, lo: int, hi: int, names: Optional[dict[str, int]], fname: str) -> int:
    t = token.strip().upper()
    if names and t in names:
        return names[t]
    if not t.isdigit():
        raise CronError(f"bad {fname} value {token!r}")
    v = int(t)
    if not lo <= v <= hi:
        raise CronError(f"{fname} value {v} out of range {lo}-{hi}")
    return v


def _parse_field(text: str, lo: int, hi: int, names: Optional[dict[str, int]], fname: str) -> frozenset[int]:
    out: set[int] = set()
    for item in text.split(","):
        if not item:
            raise CronError(f"empty item in {fname} field {text!r}")
        step = 1
        if "/" in item:
            item, step_text = item.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"bad step in {fname} field {text!r}")
            step = int(step_text)
        if item in ("*", "?"):
            start, end = lo, hi
        elif "-" in item:
            a, b = item.split("-", 1)
            start, end = _value(a, lo, hi, names, fname), _value(b, lo, hi, names, fname)
            if start > end:
                raise CronError(f"bad range {item!r} in {fname} field")
        else:
            start = _value(item, lo, hi, names, fname)
            end = hi if step != 1 else start  # 'a/n' means from a to the end every n
        out.update(range(start, end + 1, step))
    return frozenset(out)


@dataclass(frozen=True)
class CronSchedule:
    expression: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday .. 6 = Saturday

    @staticmethod
    def parse(expression: str) -> "CronSchedule":
        fields = expression.split()
        if len(fields) == 5:
            fields = ["0"] + fields
        if len(fields) != 6:
            raise CronError(f"a schedule needs 6 fields (sec min hour day month dow): {expression!r}")
        sets = [_parse_field(f, lo, hi, names, name) for f, (name, lo, hi, names) in zip(fields, _FIELDS)]
        weekdays = frozenset(d % 7 for d in sets[5])
        return CronSchedule(expression, sets[0], sets[1], sets[2], sets[3], sets[4], weekdays)

    def matches(self, t: datetime) -> bool:
        return (
            t.second in self.seconds
            and t.minute in self.minutes
            and t.hour in self.hours
            and t.day in self.days
            and t.month in self.months
            and (t.isoweekday() % 7) in self.weekdays
        )

    def next_after(self, t: datetime) -> datetime:
        """The first matching time strictly after ``t`` (whole seconds, same tzinfo)."""
        c = t.replace(microsecond=0) + timedelta(seconds=1)
        limit = c + timedelta(days=366 * 5)
        while c < limit:
            if c.month not in self.months:
                year, month = (c.year + 1, 1) if c.month == 12 else (c.year, c.month + 1)
                c = c.replace(year=year, month=month, day=1, hour=0, minute=0, second=0)
                continue
            if c.day not in self.days or (c.isoweekday() % 7) not in self.weekdays:
                c = (c + timedelta(days=1)).replace(hour=0, minute=0, second=0)
                continue
            if c.hour not in self.hours:
                c = (c + timedelta(hours=1)).replace(minute=0, second=0)
                continue
            if c.minute not in self.minutes:
                c = (c + timedelta(minutes=1)).replace(second=0)
                continue
            if c.second not in self.seconds:
                c = c + timedelta(seconds=1)
                continue
            return c
        raise CronError(f"schedule {self.expression!r} never fires")


@dataclass(frozen=True)
class IntervalSchedule:
    expression: str
    every: timedelta

    def next_after(self, t: datetime) -> datetime:
        return t + self.every


def parse_schedule(expression: str):
    """A CronSchedule, or an IntervalSchedule for the TimeSpan form ``[d.]hh:mm:ss``."""
    m = re.fullmatch(r"\s*(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})\s*", expression)
    if m:
        d, h, mi, s = (int(x) if x else 0 for x in m.groups())
        every = timedelta(days=d, hours=h, minutes=mi, seconds=s)
        if every <= timedelta(0):
            raise CronError(f"interval {expression!r} must be positive")
        return IntervalSchedule(expression, every)
    return CronSchedule.parse(expression)
