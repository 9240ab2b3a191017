"""Trained snapshots held in memory per instance, reloaded when a newer training finishes."""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ..search.index import TemplateIndex
from ..store import snapshots


@dataclass
class Loaded:
    blob: str
    snapshot: snapshots.Snapshot
    index: TemplateIndex


_cache: "OrderedDict[tuple[str, str], Loaded]" = OrderedDict()
_lock = threading.Lock()
_loading: dict[tuple[str, str], threading.Lock] = {}
# Bounded by size, not count: one 1M-template collection weighs as much as thousands of small ones.
MAX_BYTES = int(os.environ.get("FACE_SNAPSHOT_CACHE_MB", "1024")) * 1024 * 1024


def _weight(loaded: Loaded) -> int:
    return loaded.index.nbytes + loaded.snapshot.face_ids.nbytes + loaded.snapshot.person_ids.nbytes


def get(kind: str, collection_id: str, blob: str) -> Loaded:
    key = (kind, collection_id)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit.blob == blob:
            _cache.move_to_end(key)
            return hit
        loader = _loading.setdefault(key, threading.Lock())
    with loader:  # one download per collection, however many requests arrive at once
        with _lock:
            hit = _cache.get(key)
            if hit is not None and hit.blob == blob:
                return hit
        snapshot = snapshots.read(blob)
        loaded = Loaded(blob, snapshot, TemplateIndex.from_bytes(snapshot.index_bytes))
        with _lock:
            _cache[key] = loaded
            _cache.move_to_end(key)
            # evict the least recently used until under budget; the one just loaded always stays
            while len(_cache) > 1 and sum(_weight(v) for v in _cache.values()) > MAX_BYTES:
                _cache.popitem(last=False)
        return loaded


def forget(kind: str, collection_id: str) -> None:
    with _lock:
        _cache.pop((kind, collection_id), None)
