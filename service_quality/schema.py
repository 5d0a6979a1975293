"""The input contract (DESIGN §3) and the derived relations (DESIGN §4), in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Kinds of column value; etl/coerce.py knows how to parse each one.
STR, TIMESTAMP, DATE, BOOL, RATIO, INT, FLOAT, SCORE = (
    "str", "timestamp", "date", "bool", "ratio", "int", "float", "score",
)

# Canonical enum values with the spellings accepted for them (compared case-insensitively).
ENUMS: dict[str, dict[str, tuple[str, ...]]] = {
    "channel": {
        "phone": ("电话", "热线", "tel", "telephone"),
        "email": ("电子邮件", "邮件", "e-mail", "mail"),
        "sms": ("短信", "text"),
        "fax": ("传真",),
        "im": ("即时通讯", "即时消息", "飞信", "msn", "qq", "微信", "wechat"),
    },
    "category": {
        "fault": ("故障", "故障维修", "售后技术服务", "维修"),
        "upgrade": ("升级", "系统升级"),
        "installation": ("安装", "安装调试"),
        "inspection": ("巡检", "预防性维护"),
        "consultation": ("咨询", "技术咨询"),
    },
    "severity": {
        "general": ("一般", "一般故障", "minor"),
        "severe": ("严重", "严重故障", "major", "critical"),
    },
    "service_mode": {
        "onsite": ("现场", "现场支持", "上门", "on-site", "on site"),
        "remote": ("远程", "远程支持"),
        "phone": ("电话", "电话支持", "tel", "telephone"),
        "email": ("邮件", "电子邮件", "e-mail", "mail"),
    },
    "warranty": {
        "in": ("保内", "保修期内", "in_warranty", "in warranty"),
        "out": ("保外", "保修期外", "out_of_warranty", "out of warranty"),
    },
    "quote_status": {
        "accepted": ("接受", "已接受", "同意"),
        "rejected": ("拒绝", "已拒绝", "不接受"),
        "pending": ("待定", "待确认", "未答复"),
    },
    "event": {
        "pause": ("暂停", "挂起", "等待复现"),
        "resume": ("恢复", "继续", "复现"),
        "transfer": ("转交", "转派"),
        "extra_service": ("额外服务", "补录服务"),
        "note": ("备注", "记录"),
    },
    "customer_decision": {
        "accepted": ("接受", "已接受", "同意"),
        "rejected": ("拒绝", "已拒绝", "不接受"),
        "pending": ("待确认", "待定", "未答复"),
    },
    "survey_type": {
        "case": ("案例", "案例满意度", "案例满意度调查"),
        "onsite": ("现场", "现场服务", "现场服务满意度", "现场服务满意度调查", "on-site"),
    },
    "method": {
        "questionnaire": ("问卷", "问卷调查"),
        "phone": ("电话", "电话访问", "电话回访"),
        "interview": ("面访", "个人面访", "访谈"),
        "fax": ("传真",),
        "email": ("电子邮件", "邮件", "e-mail"),
    },
    "action_status": {
        "open": ("待处理", "未开始", "新建"),
        "in_progress": ("进行中", "处理中", "in progress"),
        "done": ("已完成", "完成"),
        "verified": ("已验证", "验证通过"),
        "cancelled": ("已取消", "取消", "canceled"),
    },
    "source_type": {
        "survey": ("满意度调查", "调查", "满意度"),
        "complaint": ("投诉",),
        "fault_report": ("故障报告", "故障分析报告"),
        "inspection": ("巡检", "检查"),
    },
    "day_kind": {
        "workday": ("工作日", "上班", "班", "调休上班", "work"),
        "holiday": ("节假日", "假日", "休", "休息日", "放假", "off"),
    },
}

BOOL_VALUES = {
    True: ("true", "yes", "y", "1", "是", "有", "√", "t"),
    False: ("false", "no", "n", "0", "否", "无", "×", "f"),
}


@dataclass(frozen=True)
class Column:
    """One input column: canonical name, Chinese names, kind of value."""

    name: str
    zh: tuple[str, ...]
    kind: str = STR
    enum: str | None = None
    required: bool = False


@dataclass(frozen=True)
class Entity:
    """One input file kind (tickets, surveys, …) and its table."""

    name: str
    zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    # Timestamp columns that must not precede another column of the same row.
    not_before: tuple[tuple[str, str], ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        """Canonical column names in contract order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column called `name`."""
        return next(c for c in self.columns if c.name == name)


def _c(name, zh, kind=STR, enum=None, required=False):
    return Column(name, tuple(zh.split("|")), kind, enum, required)


_TICKET_TIMES = ("responded_at", "confirmed_at", "arrived_at", "resolved_at", "closed_at")

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity("tickets", "工单", ("ticket_id",), (
            _c("ticket_id", "工单号|工单编号|服务单号", required=True),
            _c("customer_id", "客户编号|客户ID", required=True),
            _c("reported_at", "报障时间|报修时间", TIMESTAMP, required=True),
            _c("channel", "报障方式|报修方式", enum="channel"),
            _c("category", "服务类型", enum="category"),
            _c("site", "地点|现场地点"),
            _c("device", "设备|设备名称"),
            _c("reported_severity", "故障级别|上报级别", enum="severity"),
            _c("error_ratio", "错误占比|错误率", RATIO),
            _c("capacity_drop", "承载能力下降|承载能力下降量", RATIO),
            _c("system_down", "系统瘫痪", BOOL),
            _c("network_down", "网络中断", BOOL),
            _c("key_device_down", "关键设备故障", BOOL),
            _c("imminent_outage", "不立即处理将中断业务", BOOL),
            _c("responded_at", "响应时间", TIMESTAMP),
            _c("confirmed_at", "确认时间", TIMESTAMP),
            _c("engineer_id", "工程师|工程师编号"),
            _c("service_mode", "服务方式", enum="service_mode"),
            _c("arrived_at", "到场时间|到达时间", TIMESTAMP),
            _c("resolved_at", "解决时间", TIMESTAMP),
            _c("closed_at", "关闭时间", TIMESTAMP),
            _c("wait_minutes", "等待复现时长|等待复现时长(分钟)", FLOAT),
            _c("transfers", "转交次数", INT),
            _c("warranty", "保修状态", enum="warranty"),
            _c("parent_ticket_id", "原工单号"),
            _c("part_requested_at", "备件申请时间", TIMESTAMP),
            _c("part_received_at", "备件到货时间", TIMESTAMP),
            _c("quote_status", "报价状态", enum="quote_status"),
            _c("approved_at", "升级批准时间", TIMESTAMP),
        ), not_before=tuple((t, "reported_at") for t in _TICKET_TIMES)
            + (("part_received_at", "part_requested_at"),)),
        Entity("ticket_events", "工单事件", ("ticket_id", "at", "event"), (
            _c("ticket_id", "工单号|工单编号", required=True),
            _c("at", "时间|事件时间|发生时间", TIMESTAMP, required=True),
            _c("event", "事件|事件类型", enum="event", required=True),
            _c("note", "备注|说明"),
        )),
        Entity("fault_reports", "故障报告", ("ticket_id", "version"), (
            _c("ticket_id", "工单号|工单编号", required=True),
            _c("version", "版本|版本号", INT),
            _c("submitted_at", "提交时间", TIMESTAMP, required=True),
            _c("fault_content", "故障内容"),
            _c("affected_time", "受影响时间"),
            _c("affected_users", "受影响用户"),
            _c("handling_process", "故障处理过程"),
            _c("analysis", "故障分析与定位"),
            _c("lessons", "总结与教训"),
            _c("prevention", "预防措施|预防措拖"),
            _c("customer_decision", "客户意见", enum="customer_decision"),
            _c("decided_at", "客户意见时间|意见时间", TIMESTAMP),
            _c("reject_reason", "拒绝原因"),
        ), not_before=(("decided_at", "submitted_at"),)),
        Entity("surveys", "满意度调查", ("survey_id",), (
            _c("survey_id", "调查编号", required=True),
            _c("customer_id", "客户编号|客户ID", required=True),
            _c("sent_at", "发送时间|调查时间", TIMESTAMP, required=True),
            _c("ticket_id", "工单号|工单编号"),
            _c("engineer_id", "工程师|工程师编号"),
            _c("survey_type", "调查类型", enum="survey_type"),
            _c("method", "调查方式", enum="method"),
            _c("answered_at", "回复时间", TIMESTAMP),
            _c("score", "评分|总体评分", SCORE),
            _c("timeliness", "及时性", SCORE),
            _c("skill", "技术水平", SCORE),
            _c("attitude", "服务态度", SCORE),
            _c("problem_category", "问题分类"),
            _c("comment", "意见建议|意见和建议"),
            _c("score_scale", "评分满分|评分制", INT),
        ), not_before=(("answered_at", "sent_at"),)),
        Entity("complaints", "投诉", ("complaint_id",), (
            _c("complaint_id", "投诉编号", required=True),
            _c("customer_id", "客户编号|客户ID", required=True),
            _c("received_at", "投诉时间|受理时间", TIMESTAMP, required=True),
            _c("ticket_id", "工单号|工单编号"),
            _c("channel", "投诉渠道|投诉方式", enum="channel"),
            _c("category", "投诉分类"),
            _c("description", "投诉内容"),
            _c("complaint_manager", "投诉经理"),
            _c("first_reply_at", "首次回复时间", TIMESTAMP),
            _c("resolved_at", "解决时间", TIMESTAMP),
            _c("resolution", "处理结果"),
        ), not_before=(("first_reply_at", "received_at"), ("resolved_at", "received_at"))),
        Entity("actions", "改进措施", ("action_id",), (
            _c("action_id", "措施编号", required=True),
            _c("created_at", "创建时间", TIMESTAMP, required=True),
            _c("due_date", "计划完成日期", DATE, required=True),
            _c("source_type", "来源|来源类型", enum="source_type"),
            _c("source_id", "来源编号"),
            _c("customer_id", "客户编号|客户ID"),
            _c("problem_category", "问题分类"),
            _c("measure", "改进措施"),
            _c("owner_dept", "责任部门"),
            _c("owner", "责任人"),
            _c("status", "状态", enum="action_status"),
            _c("completed_at", "完成时间", TIMESTAMP),
            _c("verified_at", "验证时间", TIMESTAMP),
            _c("result", "改进结果"),
            _c("customer_notified_at", "通报客户时间", TIMESTAMP),
        ), not_before=(("completed_at", "created_at"),)),
        Entity("customers", "客户", ("customer_id",), (
            _c("customer_id", "客户编号|客户ID", required=True),
            _c("name", "客户名称", required=True),
            _c("region", "区域|地区"),
            _c("contract_start", "合同开始|合同开始日期", DATE),
            _c("contract_end", "合同结束|合同结束日期", DATE),
            _c("project_manager", "项目经理"),
            # Where the periodic report is mailed: one or more addresses separated by ";".
            _c("report_emails", "报告邮箱|报告邮件地址"),
        )),
        Entity("engineers", "工程师", ("engineer_id",), (
            _c("engineer_id", "工程师编号|工号", required=True),
            _c("name", "姓名", required=True),
            _c("team", "团队|班组|所属团队"),
            _c("title", "职务"),
            _c("certifications", "认证资质"),
        )),
        Entity("duty_roster", "值班表", ("date", "engineer_id"), (
            _c("date", "日期|值班日期", DATE, required=True),
            _c("engineer_id", "值班工程师|工程师编号", required=True),
            _c("phone", "联系电话|电话"),
            _c("note", "备注"),
        )),
        Entity("calendar", "工作日历", ("date",), (
            _c("date", "日期", DATE, required=True),
            _c("kind", "类型|日期类型", enum="day_kind", required=True),
            _c("note", "备注|说明"),
        )),
    )
}

# Descriptive columns of an export read through an import profile: labels whose unknown value
# leaves the field empty (with a note listing the values) instead of costing the record. Each
# only narrows what is judged — an empty channel is not "phone", an empty service mode is not
# "onsite" (arrival: na), an empty category is neither a fault nor an upgrade (report, upgrade:
# na, not the default fault), an empty reported severity is "unverifiable" — so none can turn a
# breach into a pass. Required columns, times, numbers, flags and statuses stay strict.
DESCRIPTIVE: dict[str, tuple[str, ...]] = {
    "tickets": ("channel", "category", "reported_severity", "service_mode", "warranty",
                "quote_status"),
    "surveys": ("survey_type", "method"),
    "complaints": ("channel",),
    "actions": ("source_type",),
}

# Chinese sheet or file names accepted for each entity, besides the English one.
ENTITY_ALIASES = {e.zh: e.name for e in ENTITIES.values()}

STATUSES = ("met", "breached", "pending", "no_record", "na")

# The derived relations of DESIGN §4, exactly these columns in this order.
RELATIONS: dict[str, tuple[str, ...]] = {
    # Beside each status, the limit its customer's terms set (customer_terms, terms_id).
    "ticket_sla": (
        "ticket_id", "customer_id", "reported_at", "reported_in_working_time",
        "calendar_estimated", "response_limit_minutes", "response_minutes", "response_status",
        "arrival_limit_minutes", "arrival_minutes", "arrival_status", "confirm_deadline",
        "confirm_status", "report_due_hours", "report_due_at", "report_status",
        "upgrade_status", "handling_target_minutes", "handling_minutes", "handling_status",
        "recurrence_due_at", "error_ratio_threshold", "capacity_drop_threshold",
        "threshold_inclusive", "rule_severity", "severity_check", "terms_id",
    ),
    "complaint_sla": (
        "complaint_id", "customer_id", "received_at", "first_reply_limit_hours",
        "first_reply_minutes", "first_reply_status", "resolution_limit_days", "resolution_days",
        "resolution_status", "terms_id",
    ),
    "action_status": (
        "action_id", "customer_id", "source_type", "status", "due_date", "is_overdue",
        "days_overdue", "completion",
    ),
    "survey_facts": (
        "survey_id", "customer_id", "survey_type", "sent_at", "answered", "score",
        "satisfied_min_score", "satisfied", "low_score_max", "low_score", "has_action",
        "terms_id",
    ),
}

# SQL types of the relations' columns (anything not listed is VARCHAR).
RELATION_TYPES = {
    "reported_at": "TIMESTAMP", "received_at": "TIMESTAMP", "sent_at": "TIMESTAMP",
    "confirm_deadline": "TIMESTAMP", "report_due_at": "TIMESTAMP", "due_date": "DATE",
    "recurrence_due_at": "TIMESTAMP",
    "reported_in_working_time": "BOOLEAN", "calendar_estimated": "BOOLEAN",
    "is_overdue": "BOOLEAN", "answered": "BOOLEAN", "satisfied": "BOOLEAN",
    "low_score": "BOOLEAN", "has_action": "BOOLEAN", "days_overdue": "BIGINT",
    "response_minutes": "DOUBLE", "arrival_limit_minutes": "DOUBLE", "arrival_minutes": "DOUBLE",
    "handling_minutes": "DOUBLE", "first_reply_minutes": "DOUBLE", "resolution_days": "DOUBLE",
    "score": "DOUBLE",
    "response_limit_minutes": "DOUBLE", "report_due_hours": "DOUBLE",
    "handling_target_minutes": "DOUBLE", "error_ratio_threshold": "DOUBLE",
    "capacity_drop_threshold": "DOUBLE", "threshold_inclusive": "BOOLEAN",
    "first_reply_limit_hours": "DOUBLE", "resolution_limit_days": "DOUBLE",
    "satisfied_min_score": "DOUBLE", "low_score_max": "DOUBLE", "terms_id": "INTEGER",
}

FAULT_REPORT_SECTIONS = (
    "fault_content", "affected_time", "affected_users", "handling_process",
    "analysis", "lessons", "prevention",
)

# pandas dtype of each kind of column, as the rules expect them.
DTYPES = {
    STR: "object", TIMESTAMP: "datetime64[ns]", DATE: "datetime64[ns]", BOOL: "boolean",
    RATIO: "float64", INT: "Int64", FLOAT: "float64", SCORE: "float64",
}


def conform(frame: pd.DataFrame, entity: str) -> pd.DataFrame:
    """`frame` with every column of the entity, in contract order and dtype (absent ones empty)."""
    out = pd.DataFrame(index=frame.index)
    for col in ENTITIES[entity].columns:
        values = frame[col.name] if col.name in frame else pd.Series(None, index=frame.index)
        if col.kind in (TIMESTAMP, DATE):
            values = pd.to_datetime(values).astype("datetime64[ns]")
        elif col.kind == STR:
            values = values.astype("object").where(values.notna(), None)
        out[col.name] = values.astype(DTYPES[col.kind])
    return out
