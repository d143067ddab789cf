"""Leaf of the domain: the vocabulary (statuses, lateness, unit kinds, roles, with their Chinese
labels, colours and order), Beijing time, and the period value type.

Imports nothing of the project; everything else may import it.
"""
