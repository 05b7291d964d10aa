"""Classic models of negotiation and group decision, beside the exact engine.

* :mod:`zopa.models.fair` — Adjusted Winner fair division between two parties;
* :mod:`zopa.models.forecast` — forecasting one numeric issue: inputs, the
  compromise and median models, running a model, forecasts for a scenario;
* :mod:`zopa.models.spatial` — the actors and the exact spatial models that
  :mod:`~zopa.models.forecast` and :mod:`~zopa.models.bdm` share;
* :mod:`zopa.models.bdm` — Bueno de Mesquita's expected-utility model;
* :mod:`zopa.models.tables` — the CSV tables they read, with line and column.

Nothing is imported here, so that ``import zopa.models.fair`` loads only what
it needs.
"""
