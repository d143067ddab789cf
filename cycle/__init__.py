"""The reporting cycle: periods and their deadlines (``periods``), the office's settings
(``settings``), and the office's changes to both (``admin``).

May import ``core``, ``db`` and ``accounts``.
"""
