"""Every label the app shows, in Chinese (default) and English."""

from __future__ import annotations

LANGUAGES = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "app_title": {"zh": "服务质量监督看板", "en": "Service quality supervision dashboard"},
    "page_overview": {"zh": "总览", "en": "Overview"},
    "overview_caption": {
        "zh": "{month} 与上月 {previous} 对比 · 判定时间 {as_of}",
        "en": "{month} against {previous} · judged as of {as_of}",
    },
    "tickets_in_month": {"zh": "本月工单", "en": "Tickets this month"},
    "building_db": {
        "zh": "首次启动：正在从内置样例数据 data/sample/ 建立数据库 {db} …",
        "en": "First start: building the database {db} from the bundled sample data/sample/ …",
    },
    "built_db": {
        "zh": "数据库已建立：{rows} 行已载入，{rejected} 行被拒收（见数据页）。",
        "en": "Database built: {rows} rows loaded, {rejected} rejected (see the Data page).",
    },
    "no_db": {
        "zh": "没有数据库 {db}。请先载入数据：python -m etl load 数据文件夹 --db {db}",
        "en": "No database at {db}. Load data first: python -m etl load FOLDER --db {db}",
    },
    "no_data_in_month": {"zh": "该月份没有记录。", "en": "No records in this month."},
    "counts_help": {
        "zh": "达标 {met} · 超时 {breached} · 无记录 {no_record} · 进行中 {pending}",
        "en": "met {met} · breached {breached} · no record {no_record} · pending {pending}",
    },
    "rate_rule": {
        "zh": "达标率 = 达标 ÷ (达标 + 超时 + 无记录)；进行中与不适用不计入。",
        "en": "Compliance = met ÷ (met + breached + no record); pending and n/a are left out.",
    },
    "metric_response": {"zh": "电话响应", "en": "Phone response"},
    "metric_arrival": {"zh": "到场时效", "en": "On-site arrival"},
    "metric_confirm": {"zh": "当日确认", "en": "Same-day confirmation"},
    "metric_report": {"zh": "故障报告3天内提交", "en": "Fault report in 3 days"},
    "metric_upgrade": {"zh": "升级事前审批", "en": "Upgrade approved first"},
    "metric_handling": {"zh": "故障处理时长", "en": "Fault handling time"},
    "metric_complaint_first_reply": {"zh": "投诉2小时内回复", "en": "Complaint reply in 2 h"},
    "metric_complaint_resolution": {"zh": "投诉15天内解决", "en": "Complaint resolved in 15 days"},
    "calendar_warning": {"zh": "工作日历提示：{text}", "en": "Working calendar: {text}"},
}


def t(key: str, lang: str = "zh", **values) -> str:
    """The label `key` in `lang`, with {placeholders} filled."""
    text = MESSAGES[key].get(lang) or MESSAGES[key]["zh"]
    return text.format(**values) if values else text
