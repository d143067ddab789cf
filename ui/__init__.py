"""Streamlit helpers shared by the pages: cached reads, URL filters, access checks."""
