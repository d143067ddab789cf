"""Who is acting: accounts and passwords (``users``), the actor and what a role may do
(``access``), and the audit log (``audit``).

May import ``core`` and ``db``.
"""
