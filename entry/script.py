"""The script Streamlit runs for every session of the served app: dashboard.main().

It lives in a folder of its own because Streamlit takes a `pages/` folder beside the script it
runs for its legacy multipage mode, where a first request for /sla runs pages/sla.py without
the frame. Here no `pages/` is beside it, so st.navigation in dashboard.main() is the only one.
"""

from dashboard import main

main()
