"""Azure Functions (ASP.NET Core) route templates: parsing, matching and precedence.

Supported template syntax, per path segment:

* literals, matched case-insensitively (``face``, ``detect``);
* parameters ``{name}``, optional ``{name?}``, with a default ``{name=value}``,
  catch-all ``{*rest}``;
* constraints ``{name:int}``, ``{name:alpha}``, ``{name:guid}``, ``{name:regex(^[a-z]+$)}``
  (and long, float, double, decimal, bool, datetime, minlength(n), maxlength(n),
  length(n[,m]), min(n), max(n), range(a,b), required), several chained with ``:``;
* complex segments mixing literals and parameters (``{name}.{ext}``);
* ``{{`` and ``}}`` escape braces (as inside a regex constraint: ``regex(^\\d{{3}}$)``).

When several templates match, the most specific one wins, segment by segment from
the left: literal > complex > constrained parameter > parameter > catch-all, the
same order as ASP.NET Core's route precedence.
"""
from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Optional
from urllib.parse import unquote

__all__ = ["RouteTemplate", "Router", "Resolution", "RouteTemplateError", "split_path"]


class RouteTemplateError(ValueError):
    """A route template that the real host would reject too."""


# ---------------------------------------------------------------------------
# constraints

def _int_range(lo: int, hi: int) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        if not re.fullmatch(r"[+-]?\d+", value):
            return False
        return lo <= int(value) <= hi

    return check


def _is_float(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _number(arg: str) -> float:
    try:
        return float(arg)
    except ValueError as exc:
        raise RouteTemplateError(f"constraint argument {arg!r} is not a number") from exc


def _args(raw: Optional[str], count: tuple[int, ...], cname: str) -> list[str]:
    parts = [] if raw is None else [a.strip() for a in raw.split(",")]
    if len(parts) not in count:
        raise RouteTemplateError(f"constraint {cname!r} takes {' or '.join(map(str, count))} argument(s)")
    return parts


def _make_constraint(cname: str, raw: Optional[str]) -> Callable[[str], bool]:
    key = cname.lower()
    simple: dict[str, Callable[[str], bool]] = {
        "int": _int_range(-(2**31), 2**31 - 1),
        "long": _int_range(-(2**63), 2**63 - 1),
        "float": _is_float,
        "double": _is_float,
        "decimal": _is_float,
        "bool": lambda v: v.lower() in ("true", "false"),
        "guid": _is_guid,
        "alpha": lambda v: bool(re.fullmatch(r"[A-Za-z]+", v)),
        "datetime": _is_datetime,
        "required": lambda v: v != "",
    }
    if key in simple:
        _args(raw, (0,), cname)
        return simple[key]
    if key == "regex":
        if raw is None:
            raise RouteTemplateError("regex constraint needs a pattern")
        try:
            # ASP.NET: Regex.IsMatch(value, pattern, IgnoreCase | CultureInvariant), unanchored.
            pattern = re.compile(raw, re.IGNORECASE)
        except re.error as exc:
            raise RouteTemplateError(f"bad regex constraint {raw!r}: {exc}") from exc
        return lambda v: pattern.search(v) is not None
    if key in ("minlength", "maxlength"):
        (n,) = (int(_number(a)) for a in _args(raw, (1,), cname))
        return (lambda v: len(v) >= n) if key == "minlength" else (lambda v: len(v) <= n)
    if key == "length":
        nums = [int(_number(a)) for a in _args(raw, (1, 2), cname)]
        lo, hi = (nums[0], nums[0]) if len(nums) == 1 else (nums[0], nums[1])
        return lambda v: lo <= len(v) <= hi
    if key in ("min", "max", "range"):
        nums = [_number(a) for a in _args(raw, (2,) if key == "range" else (1,), cname)]
        lo = nums[0] if key in ("min", "range") else -math.inf
        hi = nums[-1] if key in ("max", "range") else math.inf
        return lambda v: bool(re.fullmatch(r"[+-]?\d+", v)) and lo <= int(v) <= hi
    raise RouteTemplateError(f"unknown route constraint {cname!r}")


# ---------------------------------------------------------------------------
# template parsing

@dataclass
class Param:
    name: str
    optional: bool = False
    catch_all: bool = False
    default: Optional[str] = None
    constraints: list[Callable[[str], bool]] = field(default_factory=list)

    def accepts(self, value: str) -> bool:
        return all(check(value) for check in self.constraints)


@dataclass
class Segment:
    parts: list[Any]  # str literal or Param
    regex: Optional["re.Pattern[str]"] = None  # complex segments only

    @property
    def literal(self) -> Optional[str]:
        return self.parts[0] if len(self.parts) == 1 and isinstance(self.parts[0], str) else None

    @property
    def param(self) -> Optional[Param]:
        return self.parts[0] if len(self.parts) == 1 and isinstance(self.parts[0], Param) else None

    def precedence(self) -> int:
        if self.literal is not None:
            return 1
        p = self.param
        if p is None:
            return 2
        if p.catch_all:
            return 5 if p.constraints else 6
        return 3 if p.constraints else 4


_PARAM_NAME_END = set(":=?")


def _parse_param(body: str, template: str) -> Param:
    catch_all = False
    if body.startswith("**"):
        body, catch_all = body[2:], True
    elif body.startswith("*"):
        body, catch_all = body[1:], True
    i = 0
    while i < len(body) and body[i] not in _PARAM_NAME_END:
        i += 1
    name = body[:i]
    if not name or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", name):
        raise RouteTemplateError(f"bad parameter name {name!r} in route {template!r}")
    param = Param(name=name, catch_all=catch_all)
    rest = body[i:]
    while rest.startswith(":"):
        m = re.match(r":([A-Za-z][A-Za-z0-9_]*)", rest)
        if not m:
            raise RouteTemplateError(f"bad constraint in route {template!r}")
        cname, rest = m.group(1), rest[m.end():]
        arg = None
        if rest.startswith("("):
            # the argument ends at the first ')' that is followed by ':', '=', '?' or the end
            end = None
            for j in range(1, len(rest)):
                if rest[j] == ")" and (j + 1 == len(rest) or rest[j + 1] in _PARAM_NAME_END):
                    end = j
                    break
            if end is None:
                raise RouteTemplateError(f"unclosed constraint argument in route {template!r}")
            arg, rest = rest[1:end], rest[end + 1:]
        param.constraints.append(_make_constraint(cname, arg))
    if rest.endswith("?"):
        param.optional, rest = True, rest[:-1]
    if rest.startswith("="):
        param.default, rest = rest[1:], ""
    if rest:
        raise RouteTemplateError(f"cannot parse parameter {{{body}}} in route {template!r}")
    return param


def _tokenize(template: str) -> list[list[Any]]:
    """Split a template into segments, each a list of literal strings and Params."""
    segments: list[list[Any]] = [[]]
    literal: list[str] = []
    i, n = 0, len(template)

    def flush() -> None:
        if literal:
            segments[-1].append("".join(literal))
            literal.clear()

    while i < n:
        c = template[i]
        if c == "{":
            if template.startswith("{{", i):
                literal.append("{")
                i += 2
                continue
            flush()
            body: list[str] = []
            i += 1
            while True:
                if i >= n:
                    raise RouteTemplateError(f"unclosed '{{' in route {template!r}")
                if template.startswith("}}", i):
                    body.append("}")
                    i += 2
                elif template.startswith("{{", i):
                    body.append("{")
                    i += 2
                elif template[i] == "}":
                    i += 1
                    break
                else:
                    body.append(template[i])
                    i += 1
            segments[-1].append(_parse_param("".join(body), template))
        elif c == "}":
            if template.startswith("}}", i):
                literal.append("}")
                i += 2
                continue
            raise RouteTemplateError(f"unmatched '}}' in route {template!r}")
        elif c == "/":
            flush()
            segments.append([])
            i += 1
        else:
            literal.append(c)
            i += 1
    flush()
    return segments


class RouteTemplate:
    """One parsed route template; ``match(segments)`` returns the route values or None."""

    def __init__(self, template: str) -> None:
        self.template = template
        text = template.strip()
        if text.startswith("~/"):
            text = text[2:]
        text = text.strip("/")
        raw_segments = _tokenize(text) if text else []
        self.segments: list[Segment] = []
        for k, parts in enumerate(raw_segments):
            if not parts:
                raise RouteTemplateError(f"empty segment in route {template!r}")
            seg = Segment(parts)
            if seg.literal is None and seg.param is None:
                seg.regex = self._complex_regex(parts, template)
            if seg.param is not None and seg.param.catch_all and k != len(raw_segments) - 1:
                raise RouteTemplateError(f"a catch-all parameter must be last in route {template!r}")
            self.segments.append(seg)
        names = [p.name.lower() for s in self.segments for p in s.parts if isinstance(p, Param)]
        if len(names) != len(set(names)):
            raise RouteTemplateError(f"repeated parameter name in route {template!r}")
        self.precedence = tuple(s.precedence() for s in self.segments)

    @staticmethod
    def _complex_regex(parts: list[Any], template: str) -> "re.Pattern[str]":
        pattern = []
        for part in parts:
            if isinstance(part, str):
                pattern.append(re.escape(part))
            else:
                if part.catch_all:
                    raise RouteTemplateError(f"a catch-all cannot share a segment in route {template!r}")
                pattern.append(f"(?P<{_group(part.name)}>.{'*' if part.optional else '+'}?)")
        return re.compile("".join(pattern), re.IGNORECASE | re.DOTALL)

    def match(self, segments: list[str]) -> Optional[dict[str, str]]:
        values: dict[str, str] = {}
        checks: list[tuple[Param, str]] = []
        i = 0
        for seg in self.segments:
            param = seg.param
            if param is not None and param.catch_all:
                rest = "/".join(segments[i:])
                i = len(segments)
                if rest:
                    values[param.name] = rest
                    checks.append((param, rest))
                elif param.default is not None:
                    values[param.name] = param.default
                continue
            if i >= len(segments):
                if param is not None and (param.optional or param.default is not None):
                    if param.default is not None:
                        values[param.name] = param.default
                    continue
                return None
            value = segments[i]
            i += 1
            literal = seg.literal
            if literal is not None:
                if value.casefold() != literal.casefold():
                    return None
            elif param is not None:
                if value == "":
                    return None
                values[param.name] = value
                checks.append((param, value))
            else:
                m = seg.regex.fullmatch(value)  # type: ignore[union-attr]
                if m is None:
                    return None
                for part in seg.parts:
                    if isinstance(part, Param):
                        got = m.group(_group(part.name))
                        if got:
                            values[part.name] = got
                            checks.append((part, got))
                        elif part.default is not None:
                            values[part.name] = part.default
        if i < len(segments):
            return None
        for param, value in checks:
            if not param.accepts(value):
                return None
        return values

    def __repr__(self) -> str:
        return f"RouteTemplate({self.template!r})"


def _group(name: str) -> str:
    return "p_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def split_path(path: str) -> list[str]:
    """'/face/v1.2/detect/' -> ['face', 'v1.2', 'detect'] (percent-decoded per segment)."""
    path = path.split("?", 1)[0]
    path = path.strip("/") if path not in ("", "/") else ""
    if not path:
        return []
    return [unquote(s) for s in path.split("/")]


# ---------------------------------------------------------------------------
# router

@dataclass
class Route:
    template: RouteTemplate
    methods: Optional[frozenset[str]]  # None: every method
    target: Any
    order: int


@dataclass
class Resolution:
    status: int  # 200 found, 404 no template matches, 405 a template matches but not this method
    target: Any = None
    route_params: dict[str, str] = field(default_factory=dict)
    allowed: tuple[str, ...] = ()


class Router:
    def __init__(self, prefix: str = "api") -> None:
        self.prefix = prefix.strip().strip("/")
        self.routes: list[Route] = []

    def full_template(self, route: str) -> str:
        route = route.strip().strip("/")
        return "/".join(p for p in (self.prefix, route) if p)

    def add(self, route: str, methods: Optional[Iterable[str]], target: Any) -> Route:
        template = RouteTemplate(self.full_template(route))
        ms = None if not methods else frozenset(m.upper() for m in methods)
        entry = Route(template, ms, target, len(self.routes))
        self.routes.append(entry)
        self.routes.sort(key=lambda r: (r.template.precedence, r.order))
        return entry

    def resolve(self, method: str, path: str) -> Resolution:
        segments = split_path(path)
        method = method.upper()
        allowed: list[str] = []
        matched = False
        for route in self.routes:
            values = route.template.match(segments)
            if values is None:
                continue
            matched = True
            if route.methods is None or method in route.methods:
                return Resolution(200, route.target, values)
            allowed.extend(m for m in sorted(route.methods) if m not in allowed)
        if matched:
            return Resolution(405, allowed=tuple(allowed))
        return Resolution(404)
