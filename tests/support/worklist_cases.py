"""The worklist's hand-written cases: a row of every kind, inside and outside each threshold.

Judged at Monday 2025-10-20 12:00 (a working day; working hours 08:30–17:30). What each list must
show, and why, is in tests/test_page_overview.py (EXPECTED); the fixture tiny_db loads them.
"""

from datetime import datetime
from pathlib import Path

AS_OF = datetime(2025, 10, 20, 12, 0)

TICKETS = ("ticket_id,customer_id,reported_at,service_mode,confirmed_at,arrived_at,resolved_at,"
           "closed_at,reported_severity,system_down,wait_minutes\n") + """\
A_LATE,C2,2025-10-20 10:30,onsite,2025-10-20 10:40,,,,,,
A_NEAR,C1,2025-10-20 11:25,onsite,2025-10-20 11:30,,,,,,
A_OUT,C1,2025-10-20 11:35,onsite,2025-10-20 11:40,,,,,,
A_DONE,C1,2025-10-20 09:00,onsite,2025-10-20 09:10,,,2025-10-20 11:00,,,
C_LATE,C2,2025-10-17 10:00,remote,,,,,,,
C_SHARE,C1,2025-10-19 19:00,remote,,,,,,,
C_OUT,C1,2025-10-19 20:00,remote,,,,,,,
R_DUE,C1,2025-10-17 15:00,remote,2025-10-17 15:10,,2025-10-17 20:00,,,,
R_OUT,C1,2025-10-18 09:00,remote,2025-10-18 09:10,,2025-10-18 13:00,,,,
R_LATE,C2,2025-10-10 08:00,remote,2025-10-10 08:10,,2025-10-10 10:00,,,,
R_SENT,C1,2025-10-10 08:00,remote,2025-10-10 08:10,,2025-10-10 10:00,,,,
P_OLD,C2,2025-07-01 09:00,remote,2025-07-01 09:10,,,,,,
P_NEW,C1,2025-07-01 09:00,remote,2025-07-01 09:10,,,,,,
P_FRESH,C1,2025-07-20 12:30,remote,2025-07-20 13:00,,,,,,
P_MINUTES,C1,2025-06-15 09:00,remote,2025-06-15 09:10,,,,,,30000
P_RESUMED,C1,2025-06-01 09:00,remote,2025-06-01 09:10,,,,,,
P_CLOSED,C1,2025-06-01 09:00,remote,2025-06-01 09:10,,,2025-10-01 09:00,,,
V_IN,C2,2025-10-10 09:00,remote,2025-10-10 09:10,,2025-10-10 12:00,,一般,是,
V_OLD,C1,2025-09-20 11:00,remote,2025-09-20 11:10,,2025-09-20 12:00,,一般,是,
V_OK,C1,2025-10-10 09:00,remote,2025-10-10 09:10,,2025-10-10 12:00,,严重,是,
"""
EVENTS = """ticket_id,at,event
P_OLD,2025-07-20 11:00,pause
P_NEW,2025-07-21 10:00,pause
P_FRESH,2025-07-20 14:00,pause
P_RESUMED,2025-06-01 10:00,pause
P_RESUMED,2025-06-10 10:00,resume
P_CLOSED,2025-06-01 10:00,pause
"""
REPORTS = """ticket_id,version,submitted_at
R_SENT,1,2025-10-15 09:00
V_IN,1,2025-10-10 13:00
V_OLD,1,2025-09-20 13:00
V_OK,1,2025-10-10 13:00
"""
COMPLAINTS = """complaint_id,customer_id,received_at,first_reply_at,resolved_at
K_REPLY_NEAR,C1,2025-10-20 10:20,,
K_REPLY_OUT,C1,2025-10-20 10:35,,
K_REPLY_LATE,C2,2025-10-19 09:00,,
K_RES_NEAR,C1,2025-10-06 14:00,2025-10-06 14:30,
K_RES_OUT,C1,2025-10-07 12:30,2025-10-07 13:00,
K_RES_LATE,C2,2025-09-20 09:00,2025-09-20 09:30,
K_RESOLVED,C1,2025-09-01 09:00,,2025-09-05 09:00
"""
SURVEYS = """survey_id,customer_id,sent_at,score
S_LOW,C2,2025-10-01 09:00,2
S_LOW_ACTED,C1,2025-10-01 09:00,1
S_THREE,C1,2025-10-01 09:00,3
S_UNANSWERED,C1,2025-10-01 09:00,
"""
ACTIONS = ("action_id,created_at,due_date,customer_id,source_type,source_id,owner,status,"
           "completed_at\n") + """\
G_OVER,2025-09-01 09:00,2025-10-19,C2,inspection,,王工,open,
G_OVER_LONG,2025-09-01 09:00,2025-10-01,C1,fault_report,R_LATE,李工,in_progress,
G_TODAY,2025-09-01 09:00,2025-10-20,C1,inspection,,赵工,open,
G_DONE,2025-09-01 09:00,2025-10-01,C1,inspection,,钱工,done,2025-10-05 09:00
G_SURVEY,2025-10-02 09:00,2025-10-30,C1,survey,S_LOW_ACTED,孙工,open,
"""
CUSTOMERS = """customer_id,name
C1,甲客户
C2,乙客户
"""


def write_cases(folder: Path) -> None:
    """Write the cases as input files into FOLDER."""
    for name, text in (("tickets", TICKETS), ("ticket_events", EVENTS),
                       ("fault_reports", REPORTS), ("complaints", COMPLAINTS),
                       ("surveys", SURVEYS), ("actions", ACTIONS), ("customers", CUSTOMERS)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
