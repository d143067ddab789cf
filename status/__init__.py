"""Where things stand: the current report of each unit, each task's status (``engine``), the
dashboards' aggregates built on it (``dashboards``), reporting lateness (``lateness``) and
rates (``rates``).

May import ``core``, ``db``, ``accounts``, ``cycle`` and ``registry``.
"""
