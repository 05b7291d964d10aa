"""OR-Tools' CP-SAT is imported without pandas in a single-threaded process, and its
pandas helpers still work (the real pandas is imported on first use)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_cp_model_loads_without_pandas_and_its_pandas_helpers_still_work() -> None:
    out = _run(
        """
        import sys
        from zopa.engine.cpsat import cp_model_module
        cp = cp_model_module()
        print("pandas" in sys.modules)
        model = cp.CpModel()
        x = model.new_int_var(0, 3, "x")
        model.maximize(x)
        solver = cp.CpSolver()
        print(solver.solve(model) == cp.OPTIMAL, solver.value(x))
        import pandas as pd
        series = model.new_bool_var_series("b", pd.Index(range(3)))
        print(type(series).__name__, len(series), "pandas" in sys.modules)
        """
    )
    assert out.split() == ["False", "True", "3", "Series", "3", "True"]


def test_with_another_thread_running_the_plain_import_is_used() -> None:
    out = _run(
        """
        import sys, threading
        stop = threading.Event()
        t = threading.Thread(target=stop.wait)
        t.start()
        from zopa.engine.cpsat import cp_model_module
        cp_model_module()
        stop.set()
        t.join()
        print("pandas" in sys.modules)
        """
    )
    assert out.split() == ["True"]
