"""The import structure of src/zopa/: no module reaches itself through its imports.

``make lint`` checks the layers and the cycles between sibling modules with
import-linter (pyproject.toml).  Its sibling check does not see a cycle that
runs through a package's ``__init__`` and one of its own modules; this test
covers every cycle, whatever the modules.  Imports inside functions and under
``TYPE_CHECKING`` count (grimp reads every import statement of a file).
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("zopa", cache_dir=None)


def test_no_module_imports_itself_back(graph: grimp.ImportGraph) -> None:
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycles.append(" -> ".join((importer, *back)))
    assert cycles == []


def test_imports_inside_functions_are_seen(graph: grimp.ImportGraph) -> None:
    # zopa.load imports the folder importer only inside load_scenario, for a folder
    import zopa.load

    lines = Path(zopa.load.__file__).read_text(encoding="utf-8").splitlines()
    details = graph.get_import_details(importer="zopa.load", imported="zopa.interop.folder")
    assert details
    assert all(lines[d["line_number"] - 1].startswith("        from ") for d in details)
