"""One onnxruntime session per model per process, created on first use and shared by threads
(InferenceSession.run is thread-safe)."""
from __future__ import annotations

import threading

import onnxruntime as ort

from ..settings import get_settings
from .modelpack import verified_path

_sessions: dict[str, ort.InferenceSession] = {}
_lock = threading.Lock()


def session(name: str) -> ort.InferenceSession:
    found = _sessions.get(name)
    if found is not None:
        return found
    with _lock:
        found = _sessions.get(name)
        if found is None:
            settings = get_settings()
            options = ort.SessionOptions()
            options.intra_op_num_threads = settings.ort_intra_threads
            options.inter_op_num_threads = settings.ort_inter_threads
            options.log_severity_level = 3  # the pack's graphs trigger harmless initializer warnings
            # A request runs several small models one after another: threads that spin waiting
            # for work in one session steal the CPU the next session needs (measured: embedding
            # 6.6 ms alone, 17 ms right after detection with spinning on).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            found = ort.InferenceSession(
                str(verified_path(name, settings.model_dir)), options, providers=["CPUExecutionProvider"]
            )
            _sessions[name] = found
    return found


def run(name: str, tensor) -> list:
    model = session(name)
    return model.run(None, {model.get_inputs()[0].name: tensor})
