"""The linear-programming relaxation of an agreement set of blocks, solved by HiGHS.

One variable ``y[b,o] ∈ [0, 1]`` per joint option ``o`` of block ``b``
(:mod:`zopa.engine.blocks`) with ``Σ_o y[b,o] = 1`` per block; a party's
utility is the linear form ``Σ u[p,b,o]·y[b,o]``, here divided by the grid
``SCALE`` so that coefficients lie in [0, 1].  Further variables and rows
(bounds, tangent cuts) are added by the caller.

HiGHS (Huangfu & Hall, "Parallelizing the dual revised simplex method",
*Math. Prog. Comp.* 10, 2018) works in floating point, so nothing it returns
is taken as proof: its primal solution suggests packages and its dual values
suggest Lagrange multipliers, which :mod:`zopa.engine.lagrangian` turns into
exact integer arguments.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zopa.problem import SCALE

_BANNER = threading.Lock()
_quiet = False


def _new_highs() -> Any:
    """A silent HiGHS instance.

    The first instance of a process prints a banner on the C-level standard
    output, which would corrupt ``--json`` output; it is created with file
    descriptor 1 pointed at the null device.
    """
    global _quiet
    import highspy

    with _BANNER:
        if _quiet:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            try:
                saved = os.dup(1)
            except OSError:  # no standard output at all: nothing to protect
                h = highspy.Highs()
            else:
                null = os.open(os.devnull, os.O_WRONLY)
                try:
                    os.dup2(null, 1)
                    h = highspy.Highs()
                finally:
                    os.dup2(saved, 1)
                    os.close(saved)
                    os.close(null)
            _quiet = True
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    return h


@dataclass(frozen=True)
class LpSolution:
    status: str  # "optimal", "infeasible", "other"
    columns: np.ndarray  # values of every column
    duals: np.ndarray  # row duals (HiGHS sign convention)
    objective: float
    ray: np.ndarray | None  # a dual ray (Farkas certificate candidate) when infeasible


class Relaxation:
    """An LP over the blocks' option variables, with rows and columns added by the caller."""

    def __init__(self, blocks: Sequence[np.ndarray]) -> None:
        import highspy

        self.inf = highspy.kHighsInf
        self.h = _new_highs()
        self.sizes = [u.shape[1] for u in blocks]
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        n = int(self.starts[-1])
        self._add_cols(np.zeros(n), np.zeros(n), np.ones(n))
        self.rows = 0
        self.columns = n
        # utility coefficients per party over the option columns (on the unit scale)
        self.coef = np.concatenate([u for u in blocks], axis=1).astype(np.float64) / SCALE
        for b in range(len(blocks)):
            cols = np.arange(self.starts[b], self.starts[b + 1])
            self.add_row(1.0, 1.0, cols, np.ones(len(cols)))

    def _add_cols(self, cost: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        empty_i = np.zeros(0, dtype=np.int32)
        self.h.addCols(len(cost), cost, lo, hi, 0, empty_i, empty_i, np.zeros(0))

    def add_column(self, lo: float, hi: float) -> int:
        self._add_cols(np.zeros(1), np.array([lo]), np.array([hi]))
        self.columns += 1
        return self.columns - 1

    def add_row(self, lo: float, hi: float, cols: np.ndarray, values: np.ndarray) -> int:
        self.h.addRows(
            1,
            np.array([lo]),
            np.array([hi]),
            len(cols),
            np.array([0], dtype=np.int32),
            np.asarray(cols, dtype=np.int32),
            np.asarray(values, dtype=np.float64),
        )
        self.rows += 1
        return self.rows - 1

    def utility_terms(
        self, weights: Mapping[int, float], extra: Mapping[int, float] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of ``Σ_p w_p·U_p/SCALE + Σ_c e_c·column_c``."""
        values = np.zeros(self.columns)
        n = self.coef.shape[1]
        for p, w in weights.items():
            values[:n] += w * self.coef[p]
        for c, e in (extra or {}).items():
            values[c] += e
        cols = np.nonzero(values)[0]
        return cols, values[cols]

    def bound_row(self, weights: Mapping[int, float], lo: float, hi: float, **extra: Any) -> int:
        cols, values = self.utility_terms(weights, extra.get("columns"))
        return self.add_row(lo, hi, cols, values)

    def maximise(self, weights: Mapping[int, float], columns: Mapping[int, float] | None = None):
        """Set the objective ``Σ_p w_p·U_p/SCALE + Σ e_c·column_c`` (maximised)."""
        import highspy

        cols, values = self.utility_terms(weights, columns)
        cost = np.zeros(self.columns)
        cost[cols] = values
        self.h.changeColsCost(
            self.columns, np.arange(self.columns, dtype=np.int32), cost.astype(np.float64)
        )
        self.h.changeObjectiveSense(highspy.ObjSense.kMaximize)

    def solve(self) -> LpSolution:
        import highspy

        self.h.run()
        status = self.h.getModelStatus()
        sol = self.h.getSolution()
        if status == highspy.HighsModelStatus.kOptimal:
            return LpSolution(
                "optimal",
                np.array(sol.col_value),
                np.array(sol.row_dual),
                float(self.h.getInfo().objective_function_value),
                None,
            )
        if status == highspy.HighsModelStatus.kInfeasible:
            _, has, ray = self.h.getDualRay()
            return LpSolution(
                "infeasible", np.zeros(0), np.zeros(0), 0.0, np.array(ray) if has else None
            )
        return LpSolution("other", np.zeros(0), np.zeros(0), 0.0, None)

    def block_values(self, columns: np.ndarray) -> list[np.ndarray]:
        """The option variables of each block."""
        return [columns[self.starts[b] : self.starts[b + 1]] for b in range(len(self.sizes))]
