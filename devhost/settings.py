"""App settings as the Functions host sees them: environment, local.settings.json, %NAME% expressions."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Mapping, MutableMapping, Optional

# Azurite's documented, public development account (not a secret).
DEV_ACCOUNT_NAME = "devstoreaccount1"
DEV_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def dev_connection_string(blob_port: int = 10000, queue_port: int = 10001, table_port: int = 10002,
                          host: str = "127.0.0.1") -> str:
    return (
        "DefaultEndpointsProtocol=http;"
        f"AccountName={DEV_ACCOUNT_NAME};AccountKey={DEV_ACCOUNT_KEY};"
        f"BlobEndpoint=http://{host}:{blob_port}/{DEV_ACCOUNT_NAME};"
        f"QueueEndpoint=http://{host}:{queue_port}/{DEV_ACCOUNT_NAME};"
        f"TableEndpoint=http://{host}:{table_port}/{DEV_ACCOUNT_NAME};"
    )


def expand_development_storage(value: str) -> str:
    """'UseDevelopmentStorage=true' -> the explicit Azurite connection string (default ports)."""
    if value and value.strip().rstrip(";").replace(" ", "").lower() == "usedevelopmentstorage=true":
        return dev_connection_string()
    return value


def load_settings_file(path: Path, environ: Optional[MutableMapping[str, str]] = None) -> list[str]:
    """Put local.settings.json's ``Values`` into the environment; variables already set win.

    Returns the names that were set from the file.
    """
    env = os.environ if environ is None else environ
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    applied = []
    for name, value in (data.get("Values") or {}).items():
        if name in env or value is None:
            continue
        env[name] = value if isinstance(value, str) else json.dumps(value)
        applied.append(name)
    return applied


_PERCENT = re.compile(r"%([^%]+)%")


class UnresolvedSetting(KeyError):
    pass


def resolve_expression(value: str, environ: Optional[Mapping[str, str]] = None) -> str:
    """Replace each ``%NAME%`` with the app setting NAME, as binding expressions do."""
    env = os.environ if environ is None else environ

    def sub(m: "re.Match[str]") -> str:
        name = m.group(1)
        if name not in env:
            raise UnresolvedSetting(name)
        return env[name]

    return _PERCENT.sub(sub, value)


def storage_connection(setting: str, environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The connection string that a binding's ``connection`` names (or None when it is not set)."""
    env = os.environ if environ is None else environ
    for name in (setting or "AzureWebJobsStorage", f"AzureWebJobs{setting}"):
        value = env.get(name)
        if value:
            return expand_development_storage(value)
    return None


def find_route_prefix(host_json: Optional[Path]) -> str:
    """extensions.http.routePrefix from host.json ("api" when absent, like the real host)."""
    if host_json is None or not Path(host_json).is_file():
        return "api"
    data = json.loads(Path(host_json).read_text(encoding="utf-8"))
    http = ((data.get("extensions") or {}).get("http") or {})
    prefix = http.get("routePrefix")
    return "api" if prefix is None else str(prefix)


def host_json_section(host_json: Optional[Path], *keys: str) -> dict:
    if host_json is None or not Path(host_json).is_file():
        return {}
    node = json.loads(Path(host_json).read_text(encoding="utf-8"))
    for key in keys:
        node = (node or {}).get(key) or {}
    return node if isinstance(node, dict) else {}


def parse_timespan(value, default: float) -> float:
    """'00:00:02' or '2' -> seconds."""
    if value is None or value == "":
        return default
    if isinstance(value, (int, float)):
        return float(value)
    m = re.fullmatch(r"(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)", str(value).strip())
    if m:
        d, h, mi, s = m.groups()
        return int(d or 0) * 86400 + int(h) * 3600 + int(mi) * 60 + float(s)
    return float(value)
