"""A small local stand-in for the Azure Functions host (development, tests, benchmarks).

Azure Functions Core Tools cannot be installed here, so this package serves the same
``azure.functions.FunctionApp``: HTTP routes (ASP.NET-style route templates), queue
triggers (polling Azure Storage / Azurite) and timer triggers (NCRONTAB schedules).
It also starts and stops Azurite. In Azure the real Functions host runs the same app.

Nothing under ``shared/`` may import this package.
"""
from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

__all__ = ["REPO_ROOT"]
