"""Exact analysis of a scenario, one question per module.

* :mod:`zopa.engine.board` — the status of a draft, point by point.
"""
