"""Counter-based random streams: draw ``i`` of seed ``S`` reads its own generator.

The generator is Philox4x64-10 (Salmon, Moraes, Dror and Shaw, "Parallel
random numbers: as easy as 1, 2, 3", SC 2011) with the key
``SeedSequence(S).generate_state(2, uint64)`` and the counter starting at
``(0, 0, i, 0)``.  A draw's numbers depend on ``(S, i)`` alone, never on
which worker or batch computes it.  The Monte Carlo samples
(:mod:`zopa.uncertainty.sampling`) and the forecasts' sensitivity draws
(:mod:`zopa.models.sensitivity`) read the same streams.
"""

from __future__ import annotations

import numpy as np

COUNTER_WORD = 2  # the Philox counter word holding the draw's index


def stream_key(seed: int) -> np.ndarray:
    """The Philox key of seed ``seed``: two 64-bit words from ``SeedSequence(seed)``."""
    return np.random.SeedSequence(seed).generate_state(2, dtype=np.uint64)


def keyed_stream(key: np.ndarray, draw: int) -> np.random.Generator:
    """Draw ``draw``'s own generator under ``key`` (see :func:`stream_key`)."""
    counter = [0] * 4
    counter[COUNTER_WORD] = draw
    return np.random.Generator(np.random.Philox(counter=counter, key=key))


def stream(seed: int, draw: int) -> np.random.Generator:
    """Draw ``draw``'s own generator of seed ``seed``."""
    return keyed_stream(stream_key(seed), draw)
