"""One seed per replication, spawned from the set's seed.

Replication ``i`` of a set with seed ``s`` runs on child ``i`` of
``SeedSequence(s)`` — the child ``SeedSequence(s).spawn(n)[i]`` would give, built
directly from its spawn key so no process needs the others. Its seed depends on
``(s, i)`` alone, so a set is the same whether one process ran it or many, in any
order and in chunks of any size, and the streams of different replications are
independent (SeedSequence's hashing guarantees it, unlike ``s + i``).
"""

from __future__ import annotations

import numpy as np


def replication_seed(seed: int, index: int) -> int:
    """The 63-bit integer seed of replication ``index`` (``index`` ≥ 0) of a set seeded ``seed``.

    An integer rather than the child SeedSequence itself, so that a replication is also
    an ordinary stochastic run: ``simulate(config, stochastic=True, seed=...)`` with this
    seed gives the replication's numbers.
    """
    if seed < 0 or index < 0:
        raise ValueError("seed and index must be non-negative")
    child = np.random.SeedSequence(seed, spawn_key=(index,))
    return int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
