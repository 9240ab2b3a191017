"""One onnxruntime session per model per process, created on first use and shared by all threads
(InferenceSession.run is thread-safe). The model file is checked against the manifest's sha256
before a session is made from it.
"""
from __future__ import annotations

import threading
from typing import Callable

import numpy as np
import onnxruntime as ort

from ..settings import get_settings
from .modelpack import read_verified

# A model may be loaded through an edit of its graph (bytes -> bytes), e.g. the detector with a
# free input size; the edit's name is part of the session's key.
GraphEdit = Callable[[bytes], bytes]

_sessions: dict[tuple[str, str], ort.InferenceSession] = {}
_lock = threading.Lock()


def _options() -> ort.SessionOptions:
    settings = get_settings()
    options = ort.SessionOptions()
    options.intra_op_num_threads = settings.ort_intra_threads
    options.inter_op_num_threads = settings.ort_inter_threads
    options.log_severity_level = 3  # the pack's graphs trigger harmless initializer warnings
    # A request runs several small models one after another: threads that spin waiting for work
    # in one session steal the CPU the next one needs (measured: embedding 6.6 ms alone, 17 ms
    # right after detection with spinning on).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def session(name: str, edit: GraphEdit | None = None) -> ort.InferenceSession:
    key = (name, getattr(edit, "__qualname__", "") if edit is not None else "")
    found = _sessions.get(key)
    if found is not None:
        return found
    with _lock:
        found = _sessions.get(key)
        if found is None:
            model = read_verified(name, get_settings().model_dir)
            if edit is not None:
                model = edit(model)
            found = ort.InferenceSession(model, _options(), providers=["CPUExecutionProvider"])
            _sessions[key] = found
    return found


def run(name: str, tensor: np.ndarray, edit: GraphEdit | None = None) -> list[np.ndarray]:
    """All outputs of model `name` for one input tensor."""
    model = session(name, edit)
    return model.run(None, {model.get_inputs()[0].name: tensor})


def loaded() -> list[str]:
    return sorted(name for name, _ in _sessions)
