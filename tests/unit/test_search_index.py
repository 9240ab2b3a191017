"""TemplateIndex: exact search, the compressed large-N path, serialisation and its failure modes."""
from __future__ import annotations

import logging
import struct

import numpy as np
import pytest

from shared.search import index as index_module
from shared.search.index import EXACT_F32, PQ4FS_SQ8, TemplateIndex

DIM = 512


def unit_rows(n: int, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, DIM), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def noisy_copies(x: np.ndarray, count: int, seed: int = 1, lo: float = 0.6, hi: float = 0.75):
    """Queries whose cosine to their own enrolled row is in [lo, hi] (a same-person photo)."""
    rng = np.random.default_rng(seed)
    targets = rng.choice(len(x), count, replace=False)
    t = x[targets]
    u = rng.standard_normal((count, DIM), dtype=np.float32)
    u -= (u * t).sum(1, keepdims=True) * t
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    c = rng.uniform(lo, hi, count).astype(np.float32)[:, None]
    q = c * t + np.sqrt(1 - c * c) * u
    return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32), targets


def brute_force(x: np.ndarray, q: np.ndarray, k: int):
    sims = q @ x.T
    rows = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(sims, rows, 1), rows


@pytest.fixture(scope="module")
def large():
    x = unit_rows(20_000, seed=3)
    return x, TemplateIndex.build(x, method=PQ4FS_SQ8)


def test_small_exact_equals_brute_force():
    x = unit_rows(1_000)
    q = unit_rows(7, seed=9)
    index = TemplateIndex.build(x)
    assert index.kind == EXACT_F32 and index.size == 1_000
    sims, rows = index.search(q, 10)
    want_sims, want_rows = brute_force(x, q, 10)
    assert sims.dtype == np.float32 and rows.dtype == np.int64
    assert sims.shape == rows.shape == (7, 10)
    np.testing.assert_array_equal(rows, want_rows)
    np.testing.assert_allclose(sims, want_sims, atol=1e-5)
    assert np.all(np.diff(sims, axis=1) <= 0)


def test_single_vector_query_and_k_zero():
    x = unit_rows(50)
    index = TemplateIndex.build(x)
    sims, rows = index.search(x[3], 1)
    assert rows.tolist() == [[3]] and sims[0, 0] == pytest.approx(1.0, abs=1e-5)
    sims, rows = index.search(x[:2], 0)
    assert sims.shape == rows.shape == (2, 0)


def test_k_larger_than_n():
    x = unit_rows(5)
    for method in (EXACT_F32, PQ4FS_SQ8):
        index = TemplateIndex.build(x, method=method)
        sims, rows = index.search(x[:2], 100)
        assert sims.shape == rows.shape == (2, 5)
        assert sorted(rows[0].tolist()) == list(range(5))
        assert rows[:, 0].tolist() == [0, 1]


def test_empty_index():
    for method in ("auto", EXACT_F32, PQ4FS_SQ8):
        index = TemplateIndex.build(np.zeros((0, DIM), np.float32), method=method)
        assert index.size == 0
        sims, rows = index.search(unit_rows(3), 10)
        assert sims.shape == rows.shape == (3, 0)
        assert sims.dtype == np.float32 and rows.dtype == np.int64
        again = TemplateIndex.from_bytes(index.to_bytes())
        assert again.size == 0 and again.search(unit_rows(1), 5)[1].shape == (1, 0)


def test_auto_threshold_can_be_overridden(monkeypatch):
    x = unit_rows(300)
    assert TemplateIndex.build(x).kind == EXACT_F32
    monkeypatch.setattr(index_module, "EXACT_MAX_ROWS", 100)
    assert TemplateIndex.build(x).kind == PQ4FS_SQ8


@pytest.mark.parametrize("method", [EXACT_F32, PQ4FS_SQ8])
def test_round_trip_gives_identical_results(method):
    x = unit_rows(3_000, seed=5)
    q, _ = noisy_copies(x, 20)
    index = TemplateIndex.build(x, method=method)
    data = index.to_bytes()
    assert isinstance(data, bytes)
    loaded = TemplateIndex.from_bytes(data)
    assert (loaded.kind, loaded.size, loaded.nbytes) == (index.kind, index.size, index.nbytes)
    for a, b in zip(index.search(q, 25), loaded.search(q, 25)):
        np.testing.assert_array_equal(a, b)
    # a memoryview / bytearray of the same bytes loads too
    for buffer in (memoryview(data), bytearray(data)):
        np.testing.assert_array_equal(TemplateIndex.from_bytes(buffer).search(q, 5)[1], index.search(q, 5)[1])


def test_large_path_finds_noisy_copies(large):
    x, index = large
    assert index.kind == PQ4FS_SQ8
    assert index.nbytes < x.nbytes / 3
    q, targets = noisy_copies(x, 300, seed=11)
    sims, rows = index.search(q, 10)
    recall = float((rows[:, 0] == targets).mean())
    assert recall >= 0.95
    # returned similarities are near-exact cosines, best first
    exact = (q[:, None, :] * x[rows]).sum(-1)
    assert np.abs(sims - exact).max() < 0.01
    assert np.all(np.diff(sims, axis=1) <= 0)


def test_large_path_agrees_with_brute_force_top1_on_harder_queries(large):
    x, index = large
    q, _ = noisy_copies(x, 200, seed=12, lo=0.35, hi=0.5)
    _, want = brute_force(x, q, 1)
    _, rows = index.search(q, 5)
    assert float((rows[:, 0] == want[:, 0]).mean()) >= 0.98


def test_large_k_returns_k_distinct_rows(large):
    x, index = large
    sims, rows = index.search(x[:3], 1_600)
    assert rows.shape == (3, 1_600)
    assert all(len(set(r.tolist())) == 1_600 for r in rows)
    assert rows[:, 0].tolist() == [0, 1, 2]


def test_build_logs_progress_for_large_n(monkeypatch, caplog):
    monkeypatch.setattr(index_module, "PROGRESS_EVERY", 1_000)
    with caplog.at_level(logging.INFO, logger="shared.search.index"):
        TemplateIndex.build(unit_rows(2_500), method=PQ4FS_SQ8)
    messages = [r.getMessage() for r in caplog.records]
    assert any("encoded 2000 / 2500" in m for m in messages)
    assert any("built pq4fs-sq8" in m for m in messages)


def test_bad_input_is_rejected():
    with pytest.raises(ValueError):
        TemplateIndex.build(np.zeros(DIM, np.float32))
    bad = unit_rows(10)
    bad[4, 7] = np.nan
    for method in (EXACT_F32, PQ4FS_SQ8):
        with pytest.raises(ValueError):
            TemplateIndex.build(bad, method=method)
    with pytest.raises(ValueError):
        TemplateIndex.build(unit_rows(10), method="hnsw")
    with pytest.raises(ValueError):
        TemplateIndex.build(unit_rows(10)).search(np.zeros((1, 128), np.float32), 3)


@pytest.mark.parametrize("method", [EXACT_F32, PQ4FS_SQ8])
def test_corrupted_bytes_raise_value_error(method):
    data = TemplateIndex.build(unit_rows(500, seed=2), method=method).to_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x40
    header_flip = bytearray(data)
    header_flip[20] ^= 0x01  # the row count
    wrong_format = bytearray(data)
    wrong_format[8:10] = struct.pack("<H", 99)
    cases = [b"", b"garbage", data[:40], data[:-1], data + b"\0", bytes(flipped), bytes(header_flip),
             b"NOTANIDX" + data[8:], bytes(wrong_format)]
    for bad in cases:
        with pytest.raises(ValueError, match="template index"):
            TemplateIndex.from_bytes(bad)


def test_from_bytes_references_an_immutable_buffer_instead_of_copying(large):
    _, index = large
    blob = b"snapshot header" + index.to_bytes()  # as a slice of a bigger snapshot blob
    loaded = TemplateIndex.from_bytes(memoryview(blob)[len(b"snapshot header"):])
    assert np.shares_memory(loaded._codes, np.frombuffer(blob, np.uint8))
    mutable = bytearray(index.to_bytes())
    copied = TemplateIndex.from_bytes(mutable)
    assert not np.shares_memory(copied._codes, np.frombuffer(mutable, np.uint8))
