"""Workbooks in and out: the file guard (``guard``, ``limits``), the prefilled template
(``template``), cell-by-cell validation (``validation``), atomic versioned ingestion
(``ingest``) and the demo data loaded through them (``demo``).

May import ``core``, ``db``, ``accounts``, ``cycle``, ``registry`` and ``status``.
"""
