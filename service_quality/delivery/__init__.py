"""Reports and digests that go out by themselves: mail (SMTP), group robots, the delivery log.

No Streamlit here: `python -m etl report --send` and `python -m etl digest --send` drive it, and
the Data page reads the delivery log (log.py), which lives beside the database, outside it.
"""
