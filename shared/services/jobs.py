"""Queue messages name their job; one worker function runs them all."""
from __future__ import annotations

from . import reenrollment
from .training import run_training


def handle(message: dict) -> None:
    job = message.get("job", "train")
    if job == "train":
        run_training(message)
    elif job == "reenroll":
        reenrollment.run(message["operationId"])
    else:
        raise ValueError(f"unknown job '{job}'")
