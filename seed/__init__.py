"""Seed data: the 2023 task breakdown notice (``huizhou-2023-task-breakdown.txt``) and the unit
catalogue (``units.toml``: units, aliases, groups and the repairs of broken names). Data only;
``registry`` reads it."""

from pathlib import Path

SEED_DIR = Path(__file__).resolve().parent
