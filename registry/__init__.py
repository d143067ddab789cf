"""The task breakdown and the unit catalogue: reading a breakdown table from text, Word or Excel
(``tables``) with one set of row rules (``parser``), the catalogue (``catalogue``), loading the
2023 notice (``loader``), importing a year's breakdown (``importer``), who must report on what
(``obligations``), and the office's edits to units, aliases and groups (``units_admin``).

May import ``core``, ``db``, ``accounts``, ``cycle`` and the data files in ``seed``.
"""
