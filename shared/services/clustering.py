"""Average-linkage grouping of faces by calibrated confidence (numpy only)."""
from __future__ import annotations

import numpy as np


def average_linkage_groups(confidence: np.ndarray, threshold: float = 0.5) -> list[list[int]]:
    """Merge the two clusters with the highest mean pairwise confidence until it falls below threshold.

    Average linkage, unlike connected components, does not chain two different people together
    through one ambiguous face. Returns clusters as index lists (singletons included).
    """
    n = confidence.shape[0]
    sums = confidence.astype(np.float64).copy()
    np.fill_diagonal(sums, 0.0)
    sizes = np.ones(n)
    members: list[list[int]] = [[i] for i in range(n)]
    alive = np.ones(n, dtype=bool)
    while True:
        mean = sums / np.outer(sizes, sizes)
        mask = np.outer(alive, alive)
        np.fill_diagonal(mask, False)
        mean = np.where(mask, mean, -np.inf)
        flat = int(np.argmax(mean))
        i, j = divmod(flat, n)
        if not np.isfinite(mean[i, j]) or mean[i, j] < threshold:
            break
        # fold j into i: linkage sums add up, so the mean stays exact
        sums[i, :] += sums[j, :]
        sums[:, i] += sums[:, j]
        sums[i, i] = 0.0
        sizes[i] += sizes[j]
        members[i].extend(members[j])
        alive[j] = False
        sums[j, :] = 0.0
        sums[:, j] = 0.0
    return [members[i] for i in range(n) if alive[i]]
