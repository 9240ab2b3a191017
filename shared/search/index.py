"""1:N template search index: the in-memory snapshot that identify / find-similar search.

Two representations, chosen by size (see docs/search.md for the measurements behind them):

* ``exact-f32`` (N <= EXACT_MAX_ROWS): the float32 matrix itself, searched with one BLAS
  matmul. Exact. 2 KB per template.
* ``pq4fs-sq8`` (larger N): two compressed copies of every template.
  - an 8-bit scalar-quantised copy (per-dimension affine: x ~= lo + step * code, 512 B per
    template) that gives near-exact cosines (error ~1e-3), and
  - a 4-bit product-quantised copy in faiss' "fast scan" layout (PQ_M sub-quantisers, PQ_M/2 B
    per template) that is scanned exhaustively (no IVF clustering, so no recall loss from
    probing the wrong cells) to pick a shortlist of max(k * SHORTLIST_FACTOR, SHORTLIST_MIN)
    rows, which are then re-ranked with the 8-bit copy. Returned similarities are always the
    8-bit estimates, never the coarse PQ ones.

faiss (faiss-cpu) is needed only for the ``pq4fs-sq8`` kind and is imported lazily.

Serialised layout (all little-endian)::

    header (64 bytes): magic b"FACETIDX" | u16 format | u16 kind | u32 dim | u64 rows
                       | u64 payload length | u32 crc32(payload) | u32 crc32(header[:40]) | zero pad
    payload exact-f32: rows x dim float32
    payload pq4fs-sq8: u64 faiss blob length | faiss IndexPQFastScan blob | pad to 8
                       | lo (dim f32) | step (dim f32) | codes (rows x dim uint8)

``from_bytes`` keeps a read-only view into the given buffer for the big code matrix instead of
copying it (when the buffer is immutable), so loading needs no second copy.
"""
from __future__ import annotations

import io
import logging
import struct
import time
import zlib

import numpy as np

log = logging.getLogger(__name__)

DIM = 512
# Up to this many rows the exact float32 matrix is kept (<= 41 MB at 512-d, < 1 ms per query).
EXACT_MAX_ROWS = 20_000
PQ_M = 128                # 4-bit sub-quantisers: 64 bytes per template, 4 dims each at 512-d
PQ_TRAIN_ROWS = 65_536    # training sample for the PQ codebooks
SHORTLIST_FACTOR = 8      # rows re-ranked per query: max(k * factor, SHORTLIST_MIN)
SHORTLIST_MIN = 2_048
PROGRESS_EVERY = 100_000  # build logs progress every this many rows
_CHUNK = 50_000

EXACT_F32 = "exact-f32"
PQ4FS_SQ8 = "pq4fs-sq8"
METHODS = ("auto", EXACT_F32, PQ4FS_SQ8)

_MAGIC = b"FACETIDX"
_FORMAT = 1
_KIND_CODES = {EXACT_F32: 1, PQ4FS_SQ8: 2}
_KINDS = {v: k for k, v in _KIND_CODES.items()}
_HEADER = struct.Struct("<8sHHIQQII")  # 40 bytes; padded to _HEADER_SIZE
_HEADER_SIZE = 64


def _faiss():
    try:
        import faiss  # noqa: PLC0415 - optional, heavy; only the large-index kind needs it
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise RuntimeError("faiss-cpu is required for template indexes larger than exact search") from error
    return faiss


def _corrupt(why: str) -> ValueError:
    return ValueError(f"corrupt or unsupported template index: {why}")


class TemplateIndex:
    """Top-k cosine search over L2-normalised templates; row i of the build matrix has label i."""

    def __init__(self, kind: str, dim: int, rows: int, *, matrix=None, pq=None, lo=None, step=None, codes=None):
        self.kind = kind
        self.dim = dim
        self._rows = rows
        self._matrix = matrix  # exact-f32: (rows, dim) float32
        self._pq = pq          # pq4fs-sq8: faiss.IndexPQFastScan
        self._lo = lo          # pq4fs-sq8: (dim,) float32
        self._step = step      # pq4fs-sq8: (dim,) float32
        self._codes = codes    # pq4fs-sq8: (rows, dim) uint8

    # ---- build -------------------------------------------------------------------------------

    @classmethod
    def build(cls, templates: np.ndarray, method: str = "auto") -> "TemplateIndex":
        """Index the rows of `templates` ((N, dim) float32, L2-normalised). `method`: "auto" picks
        exact-f32 up to EXACT_MAX_ROWS rows and pq4fs-sq8 above."""
        templates = np.asarray(templates)
        if templates.ndim != 2:
            raise ValueError(f"templates must be a 2-d (N, dim) array, got shape {templates.shape}")
        if method not in METHODS:
            raise ValueError(f"unknown index method {method!r}; expected one of {METHODS}")
        rows, dim = templates.shape
        if dim == 0:
            raise ValueError("templates have no dimensions")
        if method == "auto":
            method = EXACT_F32 if rows <= EXACT_MAX_ROWS else PQ4FS_SQ8
        if method == PQ4FS_SQ8 and rows == 0:
            method = EXACT_F32  # nothing to train on; an empty index is an empty index
        started = time.monotonic()
        if rows >= PROGRESS_EVERY:
            log.info("template index: building %s over %d templates", method, rows)
        if method == EXACT_F32:
            matrix = np.array(templates, dtype=np.float32, order="C", copy=True)
            if not np.isfinite(matrix).all():
                raise ValueError("templates contain NaN or infinite values")
            index = cls(EXACT_F32, dim, rows, matrix=matrix)
        else:
            index = cls._build_pq(templates)
        if rows >= PROGRESS_EVERY:
            log.info(
                "template index: built %s over %d templates in %.1f s (%.0f MB)",
                method, rows, time.monotonic() - started, index.nbytes / 1e6,
            )
        return index

    @classmethod
    def _build_pq(cls, templates: np.ndarray) -> "TemplateIndex":
        faiss = _faiss()
        rows, dim = templates.shape
        if dim % 2:
            raise ValueError("pq4fs-sq8 needs an even dimension")
        pq_m = PQ_M if dim % PQ_M == 0 else next(m for m in (64, 32, 16, 8, 4, 2, 1) if dim % m == 0)
        # Pass 1: per-dimension range (and a finiteness check), chunk by chunk: no full-size temporaries.
        lo = np.full(dim, np.inf, np.float32)
        hi = np.full(dim, -np.inf, np.float32)
        for a in range(0, rows, _CHUNK):
            chunk = np.asarray(templates[a : a + _CHUNK], dtype=np.float32)
            if not np.isfinite(chunk).all():
                raise ValueError("templates contain NaN or infinite values")
            np.minimum(lo, chunk.min(axis=0), out=lo)
            np.maximum(hi, chunk.max(axis=0), out=hi)
        step = ((hi - lo) / 255.0).astype(np.float32)
        step[step <= 0] = 1.0  # constant dimension: every code is 0 and decodes to lo exactly
        inv = (1.0 / step).astype(np.float32)
        # PQ codebooks from a fixed-seed sample.
        rng = np.random.default_rng(0x5EA5C4)
        sample = np.sort(rng.choice(rows, min(rows, PQ_TRAIN_ROWS), replace=False))
        pq = faiss.IndexPQFastScan(dim, pq_m, 4, faiss.METRIC_INNER_PRODUCT)
        train = np.ascontiguousarray(templates[sample], dtype=np.float32)
        if len(train) < 256:  # k-means wants >= 16 points per code; a tiny index is re-ranked in full anyway
            train = np.resize(train, (256, dim))
        pq.train(train)
        del sample, train
        # Pass 2: encode both copies.
        codes = np.empty((rows, dim), dtype=np.uint8)
        next_log = PROGRESS_EVERY
        chunk_rows = min(_CHUNK, PROGRESS_EVERY)
        for a in range(0, rows, chunk_rows):
            chunk = np.ascontiguousarray(templates[a : a + chunk_rows], dtype=np.float32)
            scaled = (chunk - lo) * inv
            np.rint(scaled, out=scaled)
            np.clip(scaled, 0, 255, out=scaled)
            codes[a : a + len(chunk)] = scaled
            pq.add(chunk)
            done = a + len(chunk)
            if done >= next_log:
                log.info("template index: encoded %d / %d templates", done, rows)
                next_log = (done // PROGRESS_EVERY + 1) * PROGRESS_EVERY
        return cls(PQ4FS_SQ8, dim, rows, pq=pq, lo=lo, step=step, codes=codes)

    # ---- properties ----------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return self._rows

    @property
    def nbytes(self) -> int:
        """Approximate resident memory of the index."""
        if self.kind == EXACT_F32:
            return int(self._matrix.nbytes)
        pq = self._pq
        pq_codes = ((self._rows + pq.bbs - 1) // pq.bbs) * pq.bbs * pq.code_size
        codebooks = pq.pq.M * pq.pq.ksub * pq.pq.dsub * 4
        return int(self._codes.nbytes + pq_codes + codebooks + self._lo.nbytes + self._step.nbytes)

    def __repr__(self) -> str:
        return f"TemplateIndex(kind={self.kind!r}, size={self._rows}, dim={self.dim})"

    # ---- search --------------------------------------------------------------------------------

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by cosine for each query: (sims (Q, k') float32, rows (Q, k') int64), best first,
        k' = min(k, size)."""
        queries = np.asarray(queries, dtype=np.float32)
        if queries.ndim == 1:
            queries = queries[None, :]
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise ValueError(f"queries must have shape (Q, {self.dim}), got {queries.shape}")
        if k < 0:
            raise ValueError("k must be >= 0")
        q_count = queries.shape[0]
        kk = min(int(k), self._rows)
        if kk == 0 or q_count == 0:
            return np.zeros((q_count, kk), np.float32), np.zeros((q_count, kk), np.int64)
        queries = np.ascontiguousarray(queries)
        if self.kind == EXACT_F32:
            return self._search_exact(queries, kk)
        return self._search_pq(queries, kk)

    def _search_exact(self, queries: np.ndarray, kk: int) -> tuple[np.ndarray, np.ndarray]:
        sims_out = np.empty((len(queries), kk), np.float32)
        rows_out = np.empty((len(queries), kk), np.int64)
        for a in range(0, len(queries), 64):  # bounds the (Q, N) temporary
            sims = queries[a : a + 64] @ self._matrix.T
            for j, row_sims in enumerate(sims):
                top = _top(row_sims, kk)
                sims_out[a + j] = row_sims[top]
                rows_out[a + j] = top
        return sims_out, rows_out

    def _search_pq(self, queries: np.ndarray, kk: int) -> tuple[np.ndarray, np.ndarray]:
        shortlist = min(self._rows, max(kk * SHORTLIST_FACTOR, SHORTLIST_MIN))
        _, candidates = self._pq.search(queries, shortlist)
        sims_out = np.empty((len(queries), kk), np.float32)
        rows_out = np.empty((len(queries), kk), np.int64)
        for i, query in enumerate(queries):
            cand = candidates[i]
            cand = cand[cand >= 0]
            weights = query * self._step
            sims = self._codes[cand].astype(np.float32) @ weights
            sims += np.float32(query @ self._lo)
            top = _top(sims, kk) if len(sims) >= kk else np.argsort(-sims, kind="stable")
            got = len(top)
            sims_out[i, :got] = sims[top]
            rows_out[i, :got] = cand[top]
            if got < kk:  # cannot happen with a shortlist >= k unless the PQ scan returned gaps
                sims_out[i, got:] = -np.inf
                rows_out[i, got:] = -1
        return sims_out, rows_out

    # ---- serialisation -------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        out.write(b"\0" * _HEADER_SIZE)
        crc = 0
        length = 0

        def put(data) -> None:
            nonlocal crc, length
            if isinstance(data, np.ndarray):
                data = np.ascontiguousarray(data).reshape(-1).view(np.uint8)
            view = memoryview(data)
            out.write(view)
            crc = zlib.crc32(view, crc)
            length += view.nbytes

        if self.kind == EXACT_F32:
            put(np.ascontiguousarray(self._matrix, dtype="<f4"))
        else:
            faiss = _faiss()
            blob = faiss.serialize_index(self._pq)
            put(struct.pack("<Q", len(blob)))
            put(blob)
            put(b"\0" * (-(8 + len(blob)) % 8))
            put(np.ascontiguousarray(self._lo, dtype="<f4"))
            put(np.ascontiguousarray(self._step, dtype="<f4"))
            put(np.ascontiguousarray(self._codes))
        head = _HEADER.pack(_MAGIC, _FORMAT, _KIND_CODES[self.kind], self.dim, self._rows, length, crc, 0)
        head = head[:-4] + struct.pack("<I", zlib.crc32(head[:-4]))
        out.seek(0)
        out.write(head)
        return out.getvalue()  # CPython hands over the buffer without another copy

    @classmethod
    def from_bytes(cls, data: bytes) -> "TemplateIndex":
        """Load what to_bytes wrote. Raises ValueError on a truncated, corrupted or unknown buffer.
        An immutable buffer (bytes, read-only memoryview) is referenced, not copied."""
        view = memoryview(data).cast("B") if not isinstance(data, memoryview) or data.format != "B" else data
        if not view.readonly:
            view = memoryview(bytes(view))  # never alias a buffer the caller may still change
        if view.nbytes < _HEADER_SIZE:
            raise _corrupt("shorter than its header")
        head = bytes(view[: _HEADER.size])
        magic, fmt, kind_code, dim, rows, length, crc, head_crc = _HEADER.unpack(head)
        if magic != _MAGIC:
            raise _corrupt("bad magic")
        if zlib.crc32(head[:-4]) != head_crc:
            raise _corrupt("header checksum mismatch")
        if fmt != _FORMAT:
            raise _corrupt(f"format version {fmt} (this build reads {_FORMAT})")
        kind = _KINDS.get(kind_code)
        if kind is None:
            raise _corrupt(f"unknown kind code {kind_code}")
        if view.nbytes != _HEADER_SIZE + length:
            raise _corrupt(f"length {view.nbytes - _HEADER_SIZE} != recorded {length}")
        payload = view[_HEADER_SIZE:]
        if zlib.crc32(payload) != crc:
            raise _corrupt("payload checksum mismatch")
        if kind == EXACT_F32:
            if length != rows * dim * 4:
                raise _corrupt("payload size does not match rows x dim")
            matrix = np.frombuffer(payload, dtype="<f4").reshape(rows, dim)
            if matrix.dtype != np.float32:  # big-endian host
                matrix = matrix.astype(np.float32)
            return cls(EXACT_F32, dim, rows, matrix=matrix)
        faiss = _faiss()  # a missing dependency is not a corrupt snapshot
        try:
            (blob_len,) = struct.unpack_from("<Q", payload, 0)
            pos = 8 + blob_len
            pos += -pos % 8
            if pos + 8 * dim + rows * dim != length:
                raise _corrupt("payload size does not match rows x dim")
            pq = faiss.deserialize_index(np.frombuffer(payload, dtype=np.uint8, count=blob_len, offset=8))
        except (struct.error, RuntimeError) as error:
            raise _corrupt(f"bad PQ block ({type(error).__name__})") from error
        if not isinstance(pq, faiss.IndexPQFastScan) or pq.d != dim or pq.ntotal != rows:
            raise _corrupt("PQ block does not match the header")
        lo = np.frombuffer(payload, dtype="<f4", count=dim, offset=pos).astype(np.float32)
        step = np.frombuffer(payload, dtype="<f4", count=dim, offset=pos + 4 * dim).astype(np.float32)
        codes = np.frombuffer(payload, dtype=np.uint8, count=rows * dim, offset=pos + 8 * dim).reshape(rows, dim)
        return cls(PQ4FS_SQ8, dim, rows, pq=pq, lo=lo, step=step, codes=codes)


def _top(sims: np.ndarray, kk: int) -> np.ndarray:
    """Indices of the kk largest values, best first (ties: lower row first)."""
    if kk < len(sims):
        part = np.argpartition(-sims, kk - 1)[:kk]
    else:
        part = np.arange(len(sims))
    order = np.lexsort((part, -sims[part]))
    return part[order]
