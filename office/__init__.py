"""The supervision office's work: the reporting-status workbench (``workbench``), exemptions
and paper copies, deductions and appeals (``deductions``), the bulletin (``bulletin``) and the
Excel exports (``exports``).

May import every domain package below it: ``core``, ``db``, ``accounts``, ``cycle``,
``registry``, ``status`` and ``intake``.
"""
