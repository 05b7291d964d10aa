"""Interoperability with other negotiation tools.

* :mod:`zopa.interop.genius` — GENIUS XML domains and profiles, import and export,
  with GENIUS 10.4's semantics (or NegMAS 0.16's, on request);
* :mod:`zopa.interop.geniusweb` — GeniusWeb JSON domains and profiles, import;
* :mod:`zopa.interop.folder` — a folder of such files used directly as a scenario;
* :mod:`zopa.interop.semantics` — the evaluation rules, in exact rationals;
* :mod:`zopa.interop.build` — from what was read to a validated ``zopa/1`` scenario;
* :mod:`zopa.interop.xmlfile` — safe XML parsing with element positions.

See ``docs/reference/genius.md``.
"""


class InteropWarning(UserWarning):
    """A problem in an imported file that does not stop the import.

    The importers return their warnings (``Imported.warnings``).  When a
    GENIUS or GeniusWeb folder is loaded as a scenario
    (:func:`zopa.load.load_scenario`), each is also issued with
    :func:`warnings.warn` in this category, so that callers can show them: the
    ``zopa`` command prints them as ``warning: ...`` lines on stderr, and
    ``warnings.catch_warnings(record=True)`` collects them.
    """
