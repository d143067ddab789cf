"""The monthly reporting cycle: periods, templates, validation, ingestion, lateness.

Pure Python on top of ``db``; nothing here imports Streamlit.
"""
