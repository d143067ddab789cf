"""The task breakdown and the unit catalogue: reading the notice (``parser``, ``catalogue``),
loading it (``loader``), who must report on what (``obligations``), and the office's edits to
units, aliases and groups (``units_admin``).

May import ``core``, ``db``, ``accounts``, ``cycle`` and the data files in ``seed``.
"""
