"""The Graph Model for Conflict Resolution (GMCR), open and exact.

One module per question:

* :mod:`zopa.gmcr.format` — the ``zopa-gmcr/1`` file format (``FILE:LINE:COL`` errors);
* :mod:`zopa.gmcr.model` — states, unilateral moves, movers (decision makers, coalitions);
* :mod:`zopa.gmcr.preferences` — rankings and option prioritisation;
* :mod:`zopa.gmcr.reach` — reachability by legal sequences (the matrix formulation, sparse);
* :mod:`zopa.gmcr.stability` — Nash, GMR, SMR, SEQ, SIM and SEQ+SIM, and the equilibria;
* :mod:`zopa.gmcr.status_quo` — where the conflict can go from a state, and how;
* :mod:`zopa.gmcr.inverse` — inverse GMCR: exact counts over every strict ranking;
* :mod:`zopa.gmcr.standoff` — the standoff of a ``zopa/1`` scenario as a graph model;
* :mod:`zopa.gmcr.run` — the one core function behind ``zopa stability`` and the web app.
"""
