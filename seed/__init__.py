"""Seed data: the 2023 task breakdown notice and its unit catalogue."""
