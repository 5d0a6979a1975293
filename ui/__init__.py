"""Streamlit glue shared by dashboard.py and the pages: cached data access, first-start build."""
