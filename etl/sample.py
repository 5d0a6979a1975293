"""Realistic synthetic input files (DESIGN §3) of a fictional provider in 湛江, deterministic."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from service_quality.schema import ENTITIES, ENUMS

# --- time frame ----------------------------------------------------------------------------------
# Times are float seconds since START (naive China time); NaN means "not recorded".
START = dt.datetime(2024, 11, 1)
N_DAYS = 730  # 2024-11-01 00:00 .. 2026-10-31 23:59
EXTRACTED_AT = dt.datetime(2026, 11, 1, 9, 0)
DAY, HOUR, MINUTE = 86400.0, 3600.0, 60.0
# Follow-ups (confirm deadlines, report due dates) may fall after the last ticket day.
_CAL_DAYS = N_DAYS + 120
_START64 = np.datetime64(START, "s")
WORK_START, WORK_END = 8.5 * HOUR, 17.5 * HOUR  # settings.toml default window 08:30-17:30


def _secs(*args: int) -> float:
    return (dt.datetime(*args) - START).total_seconds()


T_EXTRACT = _secs(2026, 11, 1, 9, 0)
# The 2025 typhoon season plus two engineers leaving: the dip the dashboard must show.
DIP_FROM, DIP_TO = _secs(2025, 7, 1), _secs(2025, 10, 1)
TENTH = 100  # 1/10 in per mille: ratios are generated in per mille so "10%" is exact

# Files and formats of the export (DESIGN §3: both readers must be exercised).
CSV_ENCODING = {
    "tickets": "gbk",
    "ticket_events": "gbk",
    "surveys": "utf-8-sig",
    "fault_reports": "utf-8-sig",
}
XLSX_ENTITIES = ("customers", "engineers", "complaints", "actions", "duty_roster")
# Entities that do not grow with the tickets: written from the first chunk only.
_FIXED_ENTITIES = ("customers", "engineers", "duty_roster")
# Larger exports are generated and written this many tickets at a time (bounded memory; a
# 10 M-ticket export in one piece needs more than 20 GB).
CHUNK_TICKETS = 1_000_000
# Fixed workbook and zip-entry timestamps so the same seed gives the same bytes.
_FIXED_WORKBOOK_TIME = dt.datetime(2026, 11, 1, 1, 0)  # 09:00 China time, stored as UTC
_FIXED_ZIP_TIME = (2026, 11, 1, 9, 0, 0)

# Rows a real export gets wrong; the loader must reject exactly these (DESIGN §3, bad rows).
BAD_ROW_REASONS = {
    "unparseable_date": "报障时间 is not a valid date",
    "arrived_before_reported": "到场时间 is before 报障时间",
    "duplicate_key": "duplicate 工单号: an exact copy of the row above",
    "unknown_severity": "故障级别 '紧急' is not a known severity",
    "missing_customer": "客户编号 is required but empty",
    "score_out_of_range": "评分 6 is outside the 1-5 scale",
}
_BAD_TICKET_RATE = 0.0006  # per kind; five kinds ≈ 0.3 % of tickets
_BAD_SURVEY_RATE = 0.0005

HOSTILE_COMMENTS = ("=1+1", "<script>alert(1)</script>", "![x](http://example.invalid/x.png)")


def _zh(enum: str, value: str) -> str:
    """The Chinese spelling written for a canonical enum value."""
    return ENUMS[enum][value][0]


def _zh_all(enum: str, values: np.ndarray) -> np.ndarray:
    """The Chinese spelling of each canonical value."""
    return pd.Series(values).map({v: a[0] for v, a in ENUMS[enum].items()}).to_numpy(object)


# --- the fictional provider and its customers -----------------------------------------------------
# id, name, region, contract start, contract end, project manager, ticket share, home team
CUSTOMERS = (
    ("C001", "湛江滨海人民医院", "湛江市赤坎区",
     "2023-07-01", "2027-06-30", "陈慧敏", 16, 0),
    ("C002", "湛江港湾集装箱码头有限公司", "湛江市霞山区",
     "2024-01-01", "2026-12-31", "林志豪", 13, 1),
    ("C003", "南粤商业银行湛江分行", "湛江市赤坎区",
     "2023-04-01", "2027-03-31", "黄晓琳", 11, 0),
    ("C004", "粤西农村商业银行霞山支行", "湛江市霞山区",
     "2024-03-01", "2027-02-28", "黄晓琳", 7, 1),
    ("C005", "湛江海湾大学", "湛江市麻章区",
     "2023-09-01", "2026-12-31", "吴俊杰", 10, 0),
    ("C006", "湛江市社会保险数据中心", "湛江市赤坎区",
     "2024-01-01", "2026-12-31", "陈慧敏", 8, 0),
    ("C007", "湛江市水务局信息中心", "湛江市霞山区",
     "2024-06-01", "2027-05-31", "林志豪", 5, 1),
    ("C008", "联讯通信湛江分公司", "湛江经济技术开发区",
     "2023-01-01", "2026-12-31", "吴俊杰", 9, 1),
    ("C009", "湛江南桥中医院", "湛江市坡头区",
     "2024-05-01", "2027-04-30", "黄晓琳", 8, 1),
    ("C010", "湛江市坡头区政务服务中心", "湛江市坡头区",
     "2025-03-01", "2028-02-29", "吴俊杰", 5, 0),
    ("C011", "廉江市城南人民医院", "廉江市",
     "2024-02-01", "2027-01-31", "陈慧敏", 6, 0),
    ("C012", "粤西高速公路茂湛段运营管理中心", "茂名市电白区",
     "2024-08-01", "2027-07-31", "林志豪", 4, 1),
)
# Where each customer's periodic report is mailed (report_emails, 报告邮箱): fictional
# example.com addresses, several separated by ";"; two customers have none yet.
REPORT_EMAILS = {
    "C001": "xinxike@example.com; zhiliang.c001@example.com",
    "C002": "it-service.c002@example.com",
    "C003": "keji.c003@example.com; yunwei.c003@example.com",
    "C004": "it.c004@example.com",
    "C005": "wangluo.c005@example.com",
    "C006": "shuju.c006@example.com; anquan.c006@example.com",
    "C007": "xinxi.c007@example.com",
    "C008": "noc.c008@example.com",
    "C009": "xinxike.c009@example.com",
    "C010": "",
    "C011": "xinxike.c011@example.com",
    "C012": "",
}
# The expressway centre is 80 km from the base: onsite arrivals there are late more often.
_FAR_CUSTOMER = "C012"
# Resident engineers sit at the two largest customers.
_RESIDENT_CUSTOMERS = ("C001", "C002")

SITES = {
    "C001": ("门诊楼三楼信息中心机房", "住院部护士站", "影像科PACS机房", "收费处"),
    "C002": ("码头调度中心", "闸口收费站", "中控机房", "堆场理货室"),
    "C003": ("分行营业部", "数据机房", "自助银行区", "信贷部"),
    "C004": ("支行营业厅", "设备间", "自助服务区"),
    "C005": ("网络中心机房", "图书馆", "教务处", "实验楼"),
    "C006": ("数据中心主机房", "业务大厅", "灾备机房"),
    "C007": ("信息中心机房", "调度室", "水厂监控室"),
    "C008": ("核心机房", "营业厅", "传输机房"),
    "C009": ("信息科机房", "门诊收费处", "药房"),
    "C010": ("政务大厅", "机房", "自助服务区"),
    "C011": ("信息科机房", "住院部", "检验科"),
    "C012": ("监控中心", "收费站机房", "隧道配电房"),
}

# device, class: 0 server, 1 storage, 2 network, 3 power, 4 terminal
DEVICES = (
    ("HP ProLiant DL380 Gen10 服务器", 0),
    ("Dell PowerEdge R740 服务器", 0),
    ("联想 ThinkSystem SR650 服务器", 0),
    ("浪潮 NF5280M6 服务器", 0),
    ("华为 OceanStor 5310 存储", 1),
    ("Dell EMC Unity 400 存储", 1),
    ("华为 S5735 接入交换机", 2),
    ("H3C S6520X 核心交换机", 2),
    ("Cisco ISR4331 路由器", 2),
    ("深信服 AF-1000 防火墙", 2),
    ("APC Smart-UPS 10kVA", 3),
    ("HP LaserJet M706 打印机", 4),
    ("联想 ThinkCentre M920 台式机", 4),
    ("理光 MP 4055 复印机", 4),
)
_DEVICE_WEIGHTS = np.array([9, 8, 7, 5, 6, 4, 8, 5, 4, 4, 4, 14, 16, 6], dtype=float)

# engineer id, name, team, title, certifications
ENGINEERS = (
    ("E01", "陈志强", "湛江一组", "组长", "HCIE-Datacom；RHCE"),
    ("E02", "李伟明", "湛江一组", "高级工程师", "HCIP-Storage；VCP-DCV"),
    ("E03", "黄俊辉", "湛江一组", "工程师", "HCIP-Datacom"),
    ("E04", "吴家乐", "湛江一组", "工程师", "RHCE"),
    ("E05", "梁振华", "湛江一组", "高级工程师", "Oracle OCP；HCIP-Storage"),
    ("E06", "林浩然", "湛江一组", "工程师", "H3CSE"),
    ("E07", "何子健", "湛江一组", "助理工程师", "HCIA-Datacom"),
    ("E08", "郑文博", "湛江一组", "工程师", "CCNP"),
    ("E09", "张国栋", "湛江二组", "组长", "HCIE-Storage；PMP"),
    ("E10", "冯嘉豪", "湛江二组", "高级工程师", "VCP-DCV；RHCE"),
    ("E11", "邓永康", "湛江二组", "工程师", "HCIP-Datacom"),
    ("E12", "谢海生", "湛江二组", "工程师", "H3CNE"),
    ("E13", "罗建新", "湛江二组", "助理工程师", "HCIA-Datacom"),
    ("E14", "许晓峰", "湛江二组", "工程师", "CCNA；RHCSA"),
    ("E15", "庞志远", "湛江二组", "高级工程师", "HCIP-Storage"),
    ("E16", "莫宇航", "湛江二组", "助理工程师", "HCIA-Storage"),
    ("E17", "王丽娜", "远程支持组", "组长", "ITIL 4 Foundation；HCIP-Datacom"),
    ("E18", "杨思琪", "远程支持组", "工程师", "ITIL 4 Foundation"),
    ("E19", "陈雅婷", "远程支持组", "工程师", "RHCSA"),
    ("E20", "蔡明轩", "远程支持组", "高级工程师", "Oracle OCP；MCSE"),
    ("E21", "钟凯文", "远程支持组", "工程师", "HCIA-Datacom"),
    ("E22", "刘佳怡", "远程支持组", "助理工程师", "ITIL 4 Foundation"),
    ("E23", "周伟健", "驻场保障组", "技术主管", "HCIE-Datacom；CISP"),
    ("E24", "苏振宇", "驻场保障组", "高级工程师", "VCP-DCV；HCIP-Storage"),
    ("E25", "叶思远", "驻场保障组", "工程师", "RHCE"),
)
_TEAMS = (np.arange(0, 8), np.arange(8, 16), np.arange(16, 22), np.arange(22, 25))
# The one engineer whose onsite arrivals are often late (the dashboard should single him out).
WEAK_ENGINEER = "E13"
_WEAK = 12

HOLIDAY_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}

PROBLEMS = ("响应慢", "到场不及时", "技术水平", "服务态度", "沟通不畅", "备件等待", "处理时间长")
_P_RESPONSE, _P_ARRIVAL, _P_SKILL, _P_ATTITUDE, _P_COMMS, _P_PARTS, _P_LONG = range(7)
_PROBLEM_COMMENTS = (
    ("热线等了很久才有人接", "邮件报修半天没人回复", "响应速度有待提高"),
    ("工程师到场太慢，耽误业务", "夜间报修两个多小时才到", "约好的时间迟到了"),
    ("同一问题反复出现，没有根治", "工程师对存储设备不熟悉", "排查思路不清晰，耗时太长"),
    ("工程师态度不耐烦", "沟通时语气生硬"),
    ("处理进度没有及时告知", "没有说明故障原因和后续安排"),
    ("备件等了一周才到", "备件到货时间一再推迟"),
    ("故障处理时间过长", "拖了三天才解决"),
)
_GOOD_COMMENTS = ("服务很及时，点赞", "工程师专业耐心", "处理迅速，非常满意",
                  "沟通顺畅，问题解决彻底")
_FAIR_COMMENTS = ("总体还可以，希望更快一些", "基本满意")

# owner department and owners per problem category, and one measure for each
_ACTION_OWNERS = (
    ("呼叫中心", ("王丽娜", "杨思琪")),
    ("湛江服务部", ("陈志强", "张国栋")),
    ("技术支持部", ("周伟健", "冯嘉豪")),
    ("质量管理部", ("赵雪梅",)),
    ("客户服务部", ("孙立新",)),
    ("备件管理部", ("何秀兰",)),
    ("湛江服务部", ("陈志强", "张国栋")),
)
_MEASURES = (
    ("呼叫中心高峰时段增加坐席，15分钟未响应自动升级", "热线来电未接自动转值班手机"),
    ("调整夜间及节假日备勤安排，增加霞山片区备勤工程师", "对到场超时工程师专项辅导并纳入月度考核"),
    ("组织存储及网络设备专项培训并考核", "建立疑难故障二线专家支持机制"),
    ("开展服务礼仪培训，由组长跟岗督导",),
    ("处理过程中每2小时向客户通报进度", "故障处理完毕后当面说明原因及后续安排"),
    ("增加湛江本地常用备件库存", "与厂商签订备件加急到货协议"),
    ("超过24小时未解决的工单升级督办",),
)
_RESULTS = (
    "整改后该客户连续两个月评分4分以上",
    "已完成培训考核，复查未再出现同类问题",
    "措施已落实，客户回访认可",
    "相关指标已恢复至协议要求",
)
_REPORT_MEASURES = ("故障报告72小时提交纳入工程师考核，质量管理部每周核查",)
_INSPECTION_MEASURES = ("更换老化UPS电池并调整机房空调温度", "更新核心交换机固件并复核配置备份")

COMPLAINT_CATEGORIES = ("响应慢", "到场不及时", "技术水平", "服务态度", "备件等待", "报告质量")
_COMPLAINT_TEXT = (
    ("拨打服务热线长时间无人接听", "邮件报障后半天无人联系"),
    ("报修后工程师超过两小时仍未到场，影响业务", "夜间故障工程师迟迟未到"),
    ("同一故障多次维修仍未解决", "工程师现场排查无从下手"),
    ("工程师态度生硬，未说明处理进度",),
    ("备件迟迟未到，设备停用近一周",),
    ("故障分析报告内容空泛，未说明根本原因",),
)
_COMPLAINT_RESOLUTION = (
    ("已向客户致歉，呼叫中心增加高峰时段坐席",),
    ("已向客户致歉并调整排班，承诺夜间2小时内到场", "已更换片区工程师并向客户书面说明"),
    ("已更换工程师重新处理，故障解决，客户认可", "已安排二线专家到场处理并回访"),
    ("已约谈责任工程师并向客户书面说明",),
    ("已加急调拨备件并完成更换",),
    ("已补充故障分析报告并经客户确认",),
)
# Measure group of each complaint category: a survey problem, or 7 = report measures.
_COMPLAINT_MEASURE_GROUP = (_P_RESPONSE, _P_ARRIVAL, _P_SKILL, _P_ATTITUDE, _P_PARTS, 7)
COMPLAINT_MANAGERS = ("赵雪梅", "孙立新")

# Seven report sections per device class (server, storage, network, power, terminal).
_SYMPTOMS = (
    ("硬盘告警，RAID阵列降级", "电源模块故障", "内存报错，系统自动重启"),
    ("控制器离线，业务切换至备控", "LUN响应延迟高，数据库写入超时"),
    ("端口频繁闪断，部分终端断网", "板卡故障，业务网络中断", "会话数满，外网访问中断"),
    ("电池组告警，后备时间不足", "旁路运行，市电波动告警"),
    ("卡纸频繁，定影组件故障", "无法开机", "系统蓝屏"),
)
_AFFECTED_USERS = ("全部业务用户", "部分内网用户", "约20名窗口人员", "个别办公用户", "机房值守人员")
_PROCESS = (
    "到场更换故障部件，业务恢复后观察运行正常",
    "远程收集日志定位故障，升级固件后恢复",
    "切换备用设备保障业务，修复后切回",
)
_ANALYSIS = ("部件老化导致硬件故障", "固件版本缺陷", "机房温度过高", "配置变更未同步",
             "外部供电波动")
_LESSONS = ("巡检未提前发现隐患", "备件储备不足", "变更前未充分评估", "告警阈值设置不合理")
_PREVENTION = ("纳入月度巡检，提前更换老化部件", "升级至厂商推荐版本", "完善变更审批流程",
               "调整告警阈值并接入短信通知")
_REJECT_REASONS = ("故障原因分析不够深入", "预防措施不具体", "受影响时间与实际不符",
                   "缺少处理过程记录")
_TRANSFER_NOTES = ("转交二线工程师处理", "转交厂商工程师协助", "转交驻场工程师", "转交网络组处理")
_NOTE_NOTES = ("已电话联系客户确认故障现象", "客户要求改约次日上门", "已远程收集日志")
_EXTRA_NOTES = ("应客户要求顺带检查机房其他设备", "协助客户迁移打印机配置")


@dataclass
class Sample:
    """One generated export: rows per entity (canonical column names) and the rows meant to fail."""

    frames: dict[str, pd.DataFrame]
    # file, row_number (1-based data row), line (CSV line / sheet row with the header as 1: the
    # loader's rejected_rows.row_number), key, kind, reason
    bad_rows: pd.DataFrame
    seed: int
    tickets: int


# --- calendar -------------------------------------------------------------------------------------
class _Calendar:
    """Working days from chinesecalendar (Monday-Friday past its coverage), per day index."""

    def __init__(self, n_days: int):
        self.dates = [START.date() + dt.timedelta(days=i) for i in range(n_days)]
        work, statutory, names = [], [], []
        for d in self.dates:
            try:
                is_work = chinese_calendar.is_workday(d)
                on_holiday, name = chinese_calendar.get_holiday_detail(d)
            except NotImplementedError:
                is_work, on_holiday, name = d.weekday() < 5, False, None
            work.append(is_work)
            # A statutory holiday has a festival name; a plain weekend has none.
            statutory.append(bool(on_holiday and name is not None))
            names.append(HOLIDAY_ZH.get(name, "") if on_holiday else "")
        self.workday = np.array(work)
        self.statutory = np.array(statutory)
        self.holiday_name = np.array(names, dtype=object)
        self.spring_festival = self.holiday_name == "春节"
        nxt = np.empty(n_days, dtype=np.int64)
        following = n_days
        for i in range(n_days - 1, -1, -1):
            nxt[i] = following
            if work[i]:
                following = i
        self.next_workday = nxt
        self.day_label = np.array([d.strftime("%Y%m%d") for d in self.dates], dtype=object)

    def day(self, t: np.ndarray) -> np.ndarray:
        """Day index of each time (clipped into the calendar)."""
        return np.clip(np.floor(np.nan_to_num(t) / DAY).astype(np.int64), 0, len(self.dates) - 1)

    def in_work(self, t: np.ndarray) -> np.ndarray:
        """Whether each time lies in working time (start inclusive, end exclusive)."""
        d = self.day(t)
        sod = t - d * DAY
        return self.workday[d] & (sod >= WORK_START) & (sod < WORK_END)

    def confirm_deadline(self, t: np.ndarray) -> np.ndarray:
        """End of the working day reported, or of the next working day (DESIGN §2.2 confirm)."""
        d = self.day(t)
        sod = t - d * DAY
        same_day = self.workday[d] & (sod < WORK_END)
        return np.where(same_day, d, self.next_workday[d]) * DAY + WORK_END

    def next_work_moment(self, t: np.ndarray, rng: np.random.Generator,
                         spread: float) -> np.ndarray:
        """Each time if in working time, else the next working-day start plus up to `spread`."""
        d = self.day(t)
        sod = t - d * DAY
        nxt = np.where(self.workday[d] & (sod < WORK_START), d, self.next_workday[d])
        later = nxt * DAY + WORK_START + rng.uniform(0, spread, len(t))
        return np.where(self.in_work(t), t, later)


# --- helpers --------------------------------------------------------------------------------------
def _pick(rng: np.random.Generator, n: int, p) -> np.ndarray:
    """Category index per row with probabilities p."""
    p = np.asarray(p, dtype=float)
    return np.minimum(np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right"),
                      len(p) - 1)


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))


def _choose_text(rng: np.random.Generator, options, n: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(0, len(options), n)]


def _choose_by_group(rng: np.random.Generator, group: np.ndarray, tables) -> np.ndarray:
    """For each row, a random text from tables[group]."""
    out = np.empty(len(group), dtype=object)
    for g, options in enumerate(tables):
        rows = np.flatnonzero(group == g)
        out[rows] = _choose_text(rng, options, len(rows))
    return out


def _time_styles(rng: np.random.Generator, n: int) -> np.ndarray:
    """Per-row timestamp style: 0 'YYYY-MM-DD HH:MM:SS', 1 'YYYY/M/D H:MM', 2 '…Z', 3 '…+08:00'."""
    # One style per row keeps a row's times in order even where a style drops the seconds.
    return _pick(rng, n, [0.92, 0.06, 0.01, 0.01])


def _fmt_times(t: np.ndarray, style: np.ndarray) -> np.ndarray:
    """Text of each time in its row's style; empty where missing."""
    out = np.full(len(t), "", dtype=object)
    present = np.flatnonzero(~np.isnan(t))
    out[present] = _fmt_present_times(t[present].astype(np.int64), style[present])
    return out


def _fmt_present_times(secs: np.ndarray, style: np.ndarray) -> np.ndarray:
    if len(secs) == 0:
        return np.empty(0, dtype=object)
    stamps = _START64 + secs.astype("timedelta64[s]")
    iso = np.datetime_as_string(stamps, unit="s")  # YYYY-MM-DDTHH:MM:SS
    chars = iso.view(np.uint32).reshape(len(iso), -1).copy()
    chars[:, 10] = ord(" ")
    out = chars.reshape(-1).view(iso.dtype).astype(object)
    rows = np.flatnonzero(style == 1)
    if len(rows):
        s = stamps[rows]
        year = s.astype("datetime64[Y]")
        month = s.astype("datetime64[M]")
        day = s.astype("datetime64[D]")
        sod = (s - day).astype(np.int64)
        parts = [
            (year.astype(np.int64) + 1970), (month - year).astype(np.int64) + 1,
            (day - month).astype(np.int64) + 1, sod // 3600, (sod // 60) % 60,
        ]
        y, m, d, hh, mm = (pd.Series(p, dtype=object).astype(str) for p in parts)
        out[rows] = (y + "/" + m + "/" + d + " " + hh + ":" + mm.str.zfill(2)).to_numpy(object)
    rows = np.flatnonzero(style == 2)
    if len(rows):
        utc = np.datetime_as_string(stamps[rows] - np.timedelta64(8, "h"), unit="s")
        out[rows] = np.char.add(utc, "Z").astype(object)
    rows = np.flatnonzero(style == 3)
    if len(rows):
        out[rows] = np.char.add(iso[rows], "+08:00").astype(object)
    return out


def _fmt_int(values: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    if present is None:
        present = np.ones(len(values), bool)
    out = np.full(len(values), "", dtype=object)
    out[present] = np.asarray(values)[present].astype(np.int64).astype(str).astype(object)
    return out


def _fmt_ratio(permille: np.ndarray, present: np.ndarray, decimal: np.ndarray) -> np.ndarray:
    """Ratios as '8%' / '12.5%', or as a decimal '0.08' where `decimal`."""
    pm = permille[present].astype(np.int64)
    whole = (pm // 10).astype(str).astype(object)
    tenth = (pm % 10).astype(str).astype(object)
    pct = np.where(pm % 10 == 0, whole + "%", whole + "." + tenth + "%")
    dec = pd.Series(pm / 1000).astype(object).astype(str).to_numpy(object)
    out = np.full(len(permille), "", dtype=object)
    out[present] = np.where(decimal[present], dec, pct)
    return out


def _fmt_bool(flag: np.ndarray, present: np.ndarray) -> np.ndarray:
    out = np.where(flag, "是", "否").astype(object)
    out[~present] = ""
    return out


def _datetimes(t: np.ndarray) -> np.ndarray:
    """Python datetimes (None where missing) for openpyxl cells."""
    ok = ~np.isnan(t)
    stamps = _START64 + np.where(ok, t, 0).astype(np.int64).astype("timedelta64[s]")
    out = stamps.astype(object)
    out[~ok] = None
    return out


def _dates(t: np.ndarray) -> np.ndarray:
    """Python dates (None where missing) for openpyxl cells."""
    ok = ~np.isnan(t)
    days = _START64.astype("datetime64[D]") + (np.where(ok, t, 0) // DAY).astype("timedelta64[D]")
    out = days.astype(object)
    out[~ok] = None
    return out


def _ids(prefix: str, n: int, width: int, start: int = 0) -> np.ndarray:
    numbers = np.arange(start + 1, start + n + 1)
    return (prefix + pd.Series(numbers).astype(str).str.zfill(width)).to_numpy(object)


def _minute_ceil(t: np.ndarray) -> np.ndarray:
    return np.ceil(t / MINUTE) * MINUTE


# --- tickets --------------------------------------------------------------------------------------
def _report_times(rng: np.random.Generator, cal: _Calendar, n: int) -> np.ndarray:
    """Ticket report times, weighted to working hours on working days."""
    workday_hours = np.array([.03, .02, .02, .02, .02, .03, .05, .10, .45, 1.0, 1.0, .95,
                              .55, .50, .95, 1.0, 1.0, .55, .15, .10, .08, .06, .05, .04])
    offday_hours = np.array([.02, .015, .015, .015, .015, .02, .03, .05, .08, .12, .14, .13,
                             .10, .10, .12, .12, .11, .09, .07, .06, .05, .04, .03, .025])
    days = np.arange(N_DAYS)
    work = cal.workday[:N_DAYS]
    day_factor = np.where(cal.statutory[:N_DAYS], 0.8, 1.0) * np.where(
        cal.spring_festival[:N_DAYS], 0.5, 1.0)
    month = np.array([d.month for d in cal.dates[:N_DAYS]])
    # Growth of the customer base and the summer typhoon season around 湛江.
    day_factor = day_factor * (1 + 0.12 * days / N_DAYS) * np.where(
        (month >= 7) & (month <= 9), 1.12, 1.0)
    weights = np.where(work[:, None], workday_hours[None, :], offday_hours[None, :])
    weights = (weights * day_factor[:, None]).ravel()
    hours = rng.choice(len(weights), size=n, p=weights / weights.sum())
    return np.sort(hours * HOUR + rng.integers(0, 3600, n))


def _tickets(rng: np.random.Generator, cal: _Calendar, n: int, duty: dict[int, np.ndarray]) -> dict:
    """Typed ticket columns (times as seconds), one entry per generated ticket."""
    t = {}
    rep = _report_times(rng, cal, n)
    t["reported"] = rep
    day = cal.day(rep)
    sod = rep - day * DAY
    in_work = cal.in_work(rep)
    statutory = cal.statutory[day]
    offday = ~cal.workday[day]
    night = (sod < 7 * HOUR) | (sod >= 22 * HOUR)
    dip = (rep >= DIP_FROM) & (rep < DIP_TO)

    # Customers, the new one only from its contract start.
    cust_w = np.array([c[6] for c in CUSTOMERS], dtype=float)
    cust = _pick(rng, n, cust_w)
    starts = np.array([_secs(*map(int, c[3].split("-"))) for c in CUSTOMERS])
    early = rep < starts[cust]
    fallback_w = np.where(starts > 0, 0.0, cust_w)
    cust[early] = _pick(rng, int(early.sum()), fallback_w)
    t["customer"] = cust

    t["channel"] = _pick(rng, n, [0.68, 0.12, 0.06, 0.03, 0.11])  # phone email sms fax im
    cat = _pick(rng, n, [0.68, 0.08, 0.07, 0.10, 0.07])  # fault upgrade install inspect consult
    t["category"] = cat
    fault = cat == 0
    # service mode per category: onsite, remote, phone, email
    mode_p = ([.40, .30, .22, .08], [.35, .65, 0, 0], [.95, .05, 0, 0], [.9, .1, 0, 0],
              [0, .05, .70, .25])
    mode = np.zeros(n, dtype=np.int64)
    for c, p in enumerate(mode_p):
        rows = np.flatnonzero(cat == c)
        mode[rows] = _pick(rng, len(rows), p)
    t["mode"] = mode
    onsite = mode == 0

    site_idx = rng.integers(0, 1000, n)
    t["site"] = np.array([SITES[c[0]][i % len(SITES[c[0]])]
                          for c in CUSTOMERS for i in range(4)], dtype=object)[
        cust * 4 + site_idx % 4]
    t["device"] = _pick(rng, n, _DEVICE_WEIGHTS)
    dclass = np.array([d[1] for d in DEVICES])[t["device"]]

    # Engineers: onsite from the customer's home team (resident engineers at the two largest
    # customers, the holiday duty engineer on statutory holidays), the rest from remote support.
    home = np.array([c[7] for c in CUSTOMERS])[cust]
    team = np.where(rng.random(n) < 0.85, home, 1 - home)
    team = np.where(onsite, team, np.where(rng.random(n) < 0.85, 2, rng.integers(0, 2, n)))
    resident = np.isin(cust, [i for i, c in enumerate(CUSTOMERS) if c[0] in _RESIDENT_CUSTOMERS])
    team = np.where(onsite & resident & (rng.random(n) < 0.3), 3, team)
    sizes = np.array([len(m) for m in _TEAMS])
    firsts = np.array([m[0] for m in _TEAMS])
    eng = firsts[team] + (rng.random(n) * sizes[team]).astype(np.int64)
    on_duty = onsite & statutory & (rng.random(n) < 0.8)
    for d in np.unique(day[on_duty]):
        if d in duty:
            rows = np.flatnonzero(on_duty & (day == d))
            eng[rows] = duty[d][rng.integers(0, len(duty[d]), len(rows))]
    has_eng = ~((cat == 4) & (rng.random(n) < 0.5))  # desk answers half the consultations
    t["engineer"] = np.where(has_eng, eng, -1)

    # Severity: flags rare, ratios spread around 1/10, some faults with nothing recorded.
    recorded = fault & (rng.random(n) < 0.88)
    heavy = (dclass <= 2).astype(float)
    t["system_down"] = recorded & (rng.random(n) < 0.004 + 0.010 * heavy)
    t["network_down"] = recorded & (rng.random(n) < 0.002 + 0.015 * (dclass == 2))
    t["key_device_down"] = recorded & (rng.random(n) < 0.004 + 0.030 * (dclass <= 1))
    t["imminent_outage"] = recorded & (rng.random(n) < 0.012)
    t["flags_recorded"] = recorded
    for col, share in (("error_ratio", 0.55), ("capacity_drop", 0.40)):
        present = recorded & (rng.random(n) < share)
        pm = np.clip(np.round(_lognormal(rng, 30, 0.8, n)), 1, 950)
        pm = np.where(rng.random(n) < 0.05, TENTH, pm)  # recorded as exactly 1/10
        t[col] = np.where(present, pm, np.nan)
        t[col + "_decimal"] = rng.random(n) < 0.2
    rule_severe = (t["system_down"] | t["network_down"] | t["key_device_down"]
                   | t["imminent_outage"] | (np.nan_to_num(t["error_ratio"]) >= TENTH)
                   | (np.nan_to_num(t["capacity_drop"]) >= TENTH))
    no_info = fault & ~recorded
    # The desk misjudges about 5 % both ways; without facts it mostly says "general".
    reported_severe = np.where(no_info, rng.random(n) < 0.15, rule_severe ^ (rng.random(n) < 0.05))
    t["severe"] = fault & reported_severe
    t["rule_severe"] = rule_severe

    # Response: minutes, a few slow; the desk often leaves it empty for phone calls.
    resp = rep + np.maximum(10, _lognormal(rng, 150 + 150 * ~in_work, 0.8, n))
    slow = rng.random(n) < 0.02
    resp = np.where(slow, rep + rng.uniform(16, 90, n) * MINUTE, resp)
    resp_missing = np.where(t["channel"] == 0, rng.random(n) < 0.25, rng.random(n) < 0.004)
    t["responded"] = np.where(resp_missing, np.nan, resp)
    base = np.where(resp_missing, rep, resp)

    # Confirmation: mostly the same working day; off-hours tickets next morning or by the duty desk.
    deadline = cal.confirm_deadline(rep)
    before_day = cal.workday[day] & (sod < WORK_START)
    off_hours = ~in_work & ~before_day
    immediate = off_hours & (onsite | t["severe"] | (rng.random(n) < 0.2))
    desk_opens = np.where(before_day, day, cal.next_workday[day]) * DAY + WORK_START
    conf_from = np.where((before_day | off_hours) & ~immediate, np.maximum(desk_opens, base), base)
    conf = conf_from + _lognormal(rng, 20 * MINUTE, 0.8, n)
    conf = np.maximum(np.minimum(conf, deadline - rng.uniform(60, 900, n)), base + 30)
    late = rng.random(n) < np.where(dip, 0.08, 0.04)
    conf = np.where(late, np.maximum(deadline, base) + rng.uniform(10 * MINUTE, 30 * HOUR, n), conf)
    t["confirmed"] = np.where(rng.random(n) < 0.008, np.nan, conf)

    # Arrival (onsite): limit 60 min in working time, else 120; breaches at night, on holidays,
    # far away, in the 2025 dip and above all for the weak engineer.
    limit = np.where(in_work, 60.0, 120.0)
    p_late = np.where(in_work, 0.03, 0.07) + 0.10 * night + 0.10 * statutory
    p_late = p_late + 0.03 * (offday & ~statutory) + 0.05 * dip
    p_late = p_late + 0.08 * (cust == [c[0] for c in CUSTOMERS].index(_FAR_CUSTOMER))
    p_late = np.where(team == 3, p_late * 0.3, p_late)
    p_late = np.where(eng == _WEAK, np.maximum(p_late, 0.42), p_late)
    breach = onsite & (rng.random(n) < p_late)
    on_time = np.where(in_work, np.clip(_lognormal(rng, 32, 0.35, n), 8, 59.5),
                       np.clip(_lognormal(rng, 70, 0.3, n), 20, 119.5))
    minutes = np.where(breach, limit + np.clip(_lognormal(rng, 25, 0.8, n), 1, 600), on_time)
    arrival = rep + np.round(minutes * MINUTE)
    t["arrival_breach"] = breach
    t["arrived"] = np.where(onsite & (rng.random(n) > 0.005), arrival, np.nan)

    # Upgrades: the plan is approved between the request and the start of work, a few too late.
    upgrade = cat == 1
    work_start = np.where(onsite, arrival, base + _lognormal(rng, 30 * MINUTE, 0.6, n))
    approved = rep + rng.uniform(0.2, 0.9, n) * (work_start - rep)
    approved_late = rng.random(n) < 0.08
    approved = np.where(approved_late, work_start + rng.uniform(10 * MINUTE, 2 * DAY, n), approved)
    t["approved"] = np.where(upgrade & (rng.random(n) > 0.03), approved, np.nan)

    # Resolution: hours to days; spare parts and waiting for reproduction add to it.
    median_h = np.array([3.0, 3.0, 4.0, 2.5, 0.4])[cat]
    median_h = np.where(t["severe"], 2.0, median_h)
    duration = np.clip(_lognormal(rng, 1.0, 1.0, n) * median_h * HOUR, 5 * MINUTE, 200 * HOUR)
    part = fault & onsite & (rng.random(n) < 0.12)
    t["warranty_out"] = rng.random(n) < 0.2
    part_req = work_start + rng.uniform(10 * MINUTE, 3 * HOUR, n)
    lead = _lognormal(rng, np.where(t["warranty_out"], 4.0, 1.5), 0.6, n) * DAY
    lead = np.where(rng.random(n) < 0.1, rng.uniform(7, 20, n) * DAY, lead)
    # Couriers deliver in office hours.
    part_rec = cal.next_work_moment(part_req + lead, rng, 6 * HOUR)
    lead = part_rec - part_req
    t["part_requested"] = np.where(part, part_req, np.nan)
    t["part_received"] = np.where(part, part_rec, np.nan)
    t["part_lead_days"] = np.where(part, lead / DAY, 0.0)
    done_at = np.where(part, part_rec + rng.uniform(1, 6, n) * HOUR, work_start + duration)

    waits = fault & (rng.random(n) < 0.025)
    pause = work_start + rng.uniform(30 * MINUTE, 4 * HOUR, n)
    # Not recurred within 3 months: closed when the agreement's waiting time is over.
    quiet = rng.random(n) < 0.4
    wait_len = np.where(quiet, 91 * DAY, np.round(rng.uniform(1, 14, n) * DAY / MINUTE) * MINUTE)
    resume = pause + wait_len
    t["wait"] = waits
    t["pause"] = np.where(waits, _minute_ceil(pause), np.nan)
    t["resume"] = np.where(waits, _minute_ceil(pause) + wait_len, np.nan)
    t["quiet"] = waits & quiet
    after_wait = resume + np.where(quiet, rng.uniform(0.5, 4, n) * HOUR, duration)
    resolved = np.where(waits, np.maximum(done_at, after_wait), done_at)
    # Routine work stops at the end of the day and goes on next morning; severe faults, upgrades
    # (done in maintenance windows) and tickets taken out of hours run through the night.
    routine = ~t["severe"] & (cat != 1) & in_work & (rng.random(n) < 0.8)
    resolved = np.where(routine, cal.next_work_moment(resolved, rng, 3 * HOUR), resolved)
    stuck = (rng.random(n) < 0.002) & (rep < T_EXTRACT - 60 * DAY)
    t["resolved"] = np.where(stuck, np.nan, resolved)
    t["wait_minutes"] = np.where(waits, wait_len / MINUTE, np.nan)
    closed = resolved + np.clip(_lognormal(rng, 20 * HOUR, 1.0, n), 10 * MINUTE, 20 * DAY)
    # The desk closes most tickets in office hours once the customer has signed off.
    closed = np.where(rng.random(n) < 0.75, cal.next_work_moment(closed, rng, 3 * HOUR), closed)
    t["closed"] = np.where(stuck | (rng.random(n) < 0.03), np.nan, closed)

    transfers = _pick(rng, n, [0.93, 0.05, 0.015, 0.005])
    t["transfers"] = transfers
    quoted = t["warranty_out"] & fault & (onsite | part)
    t["quote"] = np.where(quoted, _pick(rng, n, [.7, .15, .15]), -1)  # accepted rejected pending

    # Nothing is known after the extraction moment: those clocks are still running.
    for col in ("responded", "confirmed", "arrived", "resolved", "closed", "part_requested",
                "part_received", "approved"):
        t[col] = np.round(t[col])
    for col in ("responded", "confirmed", "arrived", "resolved", "closed", "part_requested",
                "part_received", "approved", "pause", "resume"):
        t[col] = np.where(t[col] > T_EXTRACT, np.nan, t[col])
    open_now = np.isnan(t["resolved"])
    t["wait_minutes"] = np.where(open_now, np.nan, t["wait_minutes"])
    t["closed"] = np.where(open_now, np.nan, t["closed"])
    t["style"] = _time_styles(rng, n)
    t["dip"], t["limit"] = dip, limit
    return t


def _parents(rng: np.random.Generator, t: dict, good: np.ndarray) -> np.ndarray:
    """Index of the earlier fault a reopened fault with a new cause points to, else -1."""
    n = len(t["reported"])
    faults = np.flatnonzero((t["category"] == 0) & good)
    order = faults[np.lexsort((t["reported"][faults], t["customer"][faults]))]
    pos = np.flatnonzero(rng.random(len(order)) < 0.015)
    back = pos - rng.integers(1, 15, len(pos))
    ok = back >= 0
    pos, back = pos[ok], back[ok]
    child, parent = order[pos], order[back]
    ok = (t["customer"][child] == t["customer"][parent]) & (
        t["resolved"][parent] < t["reported"][child])
    out = np.full(n, -1)
    out[child[ok]] = parent[ok]
    return out


# --- dependents -----------------------------------------------------------------------------------
def _events(rng: np.random.Generator, t: dict, good: np.ndarray) -> dict:
    """Transfers, pauses/resumes, notes and extra services of some tickets."""
    rep = t["reported"]
    end = np.where(np.isnan(t["resolved"]), np.minimum(rep + 3 * DAY, T_EXTRACT), t["resolved"])
    span = np.maximum(end - rep, 2 * MINUTE)
    parts = []
    idx = np.repeat(np.flatnonzero(good), t["transfers"][good])
    at = rep[idx] + rng.uniform(0.05, 0.9, len(idx)) * span[idx]
    parts.append((idx, at, np.full(len(idx), "transfer"), _choose_text(rng, _TRANSFER_NOTES,
                                                                        len(idx))))
    waits = np.flatnonzero(good & t["wait"] & ~np.isnan(t["pause"]))
    parts.append((waits, t["pause"][waits], np.full(len(waits), "pause"),
                  np.full(len(waits), "故障无法复现，等待客户观察", dtype=object)))
    resumed = waits[~np.isnan(t["resume"][waits])]
    notes = np.where(t["quiet"][resumed], "3个月内未再复现，结束等待并关闭", "故障复现，恢复处理")
    parts.append((resumed, t["resume"][resumed], np.full(len(resumed), "resume"),
                  notes.astype(object)))
    idx = np.flatnonzero(good & (rng.random(len(rep)) < 0.025))
    parts.append((idx, rep[idx] + rng.uniform(0.02, 0.8, len(idx)) * span[idx],
                  np.full(len(idx), "note"), _choose_text(rng, _NOTE_NOTES, len(idx))))
    idx = np.flatnonzero(good & (t["mode"] == 0) & (rng.random(len(rep)) < 0.015))
    parts.append((idx, rep[idx] + rng.uniform(0.5, 1.0, len(idx)) * span[idx],
                  np.full(len(idx), "extra_service"), _choose_text(rng, _EXTRA_NOTES, len(idx))))
    ticket = np.concatenate([p[0] for p in parts])
    # Whole minutes: every accepted timestamp style then keeps (ticket, at, event) unique.
    at = _minute_ceil(np.concatenate([p[1] for p in parts]))
    event = np.concatenate([p[2] for p in parts])
    note = np.concatenate([p[3] for p in parts])
    keep = at <= T_EXTRACT
    frame = pd.DataFrame({"ticket": ticket[keep], "at": at[keep], "event": event[keep],
                          "note": note[keep]})
    frame = frame.drop_duplicates(["ticket", "at", "event"]).sort_values(
        ["ticket", "at"], kind="stable")
    return {c: frame[c].to_numpy() for c in frame.columns}


def _fault_reports(rng: np.random.Generator, cal: _Calendar, t: dict, good: np.ndarray) -> dict:
    """Fault analysis reports: version 1 for most resolved faults, 2 after some rejections."""
    idx = np.flatnonzero(good & (t["category"] == 0) & ~np.isnan(t["resolved"])
                         & (rng.random(len(good)) < 0.96))
    n = len(idx)
    late = rng.random(n) < np.where(t["dip"][idx], 0.18, 0.06)
    delay = np.where(late, rng.uniform(73, 300, n), rng.uniform(2, 70, n)) * HOUR
    due = t["resolved"][idx] + 72 * HOUR
    submitted = t["resolved"][idx] + delay
    # Reports are written in office hours, unless that would miss the 72 h due time.
    office = cal.next_work_moment(submitted, rng, 2 * HOUR)
    submitted = np.round(np.where(late | (office < due - MINUTE), office, submitted))
    decision = _pick(rng, n, [0.82, 0.07, 0.11])  # accepted rejected pending
    decided = np.round(submitted + rng.uniform(2 * HOUR, 5 * DAY, n))
    decision = np.where(decided > T_EXTRACT, 2, decision)
    decided = np.where(decision == 2, np.nan, decided)
    v2 = (decision == 1) & (rng.random(n) < 0.6)
    sub2 = np.round(decided + rng.uniform(1, 4, n) * DAY)
    v2 &= sub2 <= T_EXTRACT
    i2 = np.flatnonzero(v2)
    dec2 = np.where(rng.random(len(i2)) < 0.9, 0, 2)
    decided2 = np.round(sub2[i2] + rng.uniform(2 * HOUR, 3 * DAY, len(i2)))
    dec2 = np.where(decided2 > T_EXTRACT, 2, dec2)
    decided2 = np.where(dec2 == 2, np.nan, decided2)

    ticket = np.concatenate([idx, idx[i2]])
    out = {
        "ticket": ticket,
        "version": np.concatenate([np.ones(n, int), np.full(len(i2), 2)]),
        "submitted": np.concatenate([submitted, sub2[i2]]),
        "decision": np.concatenate([decision, dec2]),
        "decided": np.concatenate([decided, decided2]),
        "late_v1": np.concatenate([late, np.zeros(len(i2), bool)]),
    }
    keep = out["submitted"] <= T_EXTRACT
    out = {k: v[keep] for k, v in out.items()}
    m = len(out["ticket"])
    tk = out["ticket"]
    dclass = np.array([d[1] for d in DEVICES])[t["device"][tk]]
    device = np.array([d[0] for d in DEVICES], dtype=object)[t["device"][tk]]
    hours = np.round((t["resolved"][tk] - t["reported"][tk]) / HOUR, 1)
    sections = {
        "fault_content": device + "：" + _choose_by_group(rng, dclass, _SYMPTOMS),
        "affected_time": ("约" + pd.Series(hours).astype(str) + "小时").to_numpy(object),
        "affected_users": _choose_text(rng, _AFFECTED_USERS, m),
        "handling_process": _choose_text(rng, _PROCESS, m),
        "analysis": _choose_text(rng, _ANALYSIS, m),
        "lessons": _choose_text(rng, _LESSONS, m),
        "prevention": _choose_text(rng, _PREVENTION, m),
    }
    # About one report in ten leaves sections out, lessons and prevention most often.
    gaps = rng.random(m) < 0.1
    for name, p in zip(sections, (0.05, 0.2, 0.3, 0.1, 0.3, 0.6, 0.5), strict=True):
        sections[name][gaps & (rng.random(m) < p)] = ""
    out.update(sections)
    out["reject_reason"] = np.where(out["decision"] == 1, _choose_text(rng, _REJECT_REASONS, m), "")
    out["style"] = _time_styles(rng, m)
    order = np.lexsort((out["version"], out["submitted"]))
    return {k: v[order] for k, v in out.items()}


def _survey_scores(rng: np.random.Generator, n: int, when: np.ndarray, breach: np.ndarray,
                   weak: np.ndarray) -> np.ndarray:
    """Scores 1-5: a dip in 2025 Q3, a recovery afterwards, lower after late arrivals."""
    tables = np.array([
        [0.01, 0.03, 0.08, 0.33, 0.55],  # normal
        [0.05, 0.10, 0.15, 0.32, 0.38],  # 2025 Q3 dip
        [0.01, 0.02, 0.06, 0.31, 0.60],  # after the improvement actions
    ])
    period = np.where(when < DIP_FROM, 0, np.where(when < DIP_TO, 1, 2))
    cum = np.cumsum(tables[period], axis=1)
    score = 1 + (rng.random(n)[:, None] > cum).sum(axis=1)
    down = (breach & (rng.random(n) < 0.6)) | (weak & (rng.random(n) < 0.3))
    return np.clip(score - down, 1, 5)


def _surveys(rng: np.random.Generator, cal: _Calendar, t: dict, good: np.ndarray) -> dict:
    """Case surveys after services and onsite service-sheet scores."""
    done = good & ~np.isnan(t["resolved"])
    onsite_idx = np.flatnonzero(done & (t["mode"] == 0) & (rng.random(len(good)) < 0.5))
    case_idx = np.flatnonzero(done & (rng.random(len(good)) < 0.4))
    n_on, n_case = len(onsite_idx), len(case_idx)
    # An onsite sheet is scored when the service ends; a case form is sent in working time.
    sent_on = t["resolved"][onsite_idx]
    sent_case = cal.next_work_moment(
        t["resolved"][case_idx] + rng.uniform(2 * HOUR, 72 * HOUR, n_case), rng, 4 * HOUR)
    method = _pick(rng, n_case, [0.2, 0.45, 0.35])  # fax email phone
    wait = np.select([method == 0, method == 1],
                     [_lognormal(rng, 30 * HOUR, 0.8, n_case), _lognormal(rng, 20 * HOUR, 0.8,
                                                                           n_case)],
                     rng.uniform(MINUTE, 30 * MINUTE, n_case))
    answers = rng.random(n_case) < np.array([0.55, 0.62, 0.88])[method]
    sent_case = np.round(sent_case)
    ans_case = np.where(answers, np.round(sent_case + wait), np.nan)
    tk = np.concatenate([onsite_idx, case_idx])
    s = {
        "ticket": tk,
        "type": np.concatenate([np.zeros(n_on, int), np.ones(n_case, int)]),
        "method": np.concatenate([np.full(n_on, -1), method]),
        "sent": np.concatenate([sent_on, sent_case]),
        "answered": np.concatenate([sent_on, ans_case]),
    }
    keep = s["sent"] <= T_EXTRACT
    s = {k: v[keep] for k, v in s.items()}
    s["answered"] = np.where(s["answered"] > T_EXTRACT, np.nan, s["answered"])
    tk = s["ticket"]
    n = len(tk)
    answered = ~np.isnan(s["answered"])
    breach = t["arrival_breach"][tk]
    weak = t["engineer"][tk] == _WEAK
    score = _survey_scores(rng, n, s["sent"], breach, weak)
    jitter = [-1, 0, 0, 0, 1]
    timeliness = np.clip(score + np.array(jitter)[rng.integers(0, 5, n)], 1, 5)
    timeliness = np.where(breach, np.minimum(timeliness, 2), timeliness)
    skill = np.clip(score + np.array(jitter)[rng.integers(0, 5, n)], 1, 5)
    attitude = np.clip(score + np.array([0, 0, 0, 1, 1])[rng.integers(0, 5, n)], 1, 5)
    subs = answered & ~((s["method"] == 2) & (rng.random(n) < 0.4))  # phone: overall score only

    problem = _pick(rng, n, [0.15, 0.12, 0.28, 0.12, 0.15, 0.08, 0.10])
    in_dip = (s["sent"] >= DIP_FROM) & (s["sent"] < DIP_TO)
    problem = np.where(in_dip & (rng.random(n) < 0.35), _P_ARRIVAL, problem)
    slow_resp = (t["responded"][tk] - t["reported"][tk]) > 15 * MINUTE
    problem = np.where(slow_resp, _P_RESPONSE, problem)
    problem = np.where(t["part_lead_days"][tk] > 5, _P_PARTS, problem)
    problem = np.where(breach & (rng.random(n) < 0.8), _P_ARRIVAL, problem)
    has_problem = answered & (score <= 3)
    problem = np.where(has_problem, problem, -1)
    comment = np.where(score == 5, np.where(rng.random(n) < 0.3,
                                            _choose_text(rng, _GOOD_COMMENTS, n), ""), "")
    comment = np.where(score == 3, _choose_text(rng, _FAIR_COMMENTS, n), comment).astype(object)
    by_problem = _choose_by_group(rng, np.maximum(problem, 0), _PROBLEM_COMMENTS)
    comment = np.where(has_problem & ((score <= 2) | (rng.random(n) < 0.5)), by_problem, comment)
    comment = np.where(answered, comment, "").astype(object)

    # A few forms are scored out of 10 (only good scores, so "low" does not hinge on the mapping).
    ten = answered & (score >= 3) & (rng.random(n) < 0.01)
    scale = np.where(ten, 10, np.where(rng.random(n) < 0.7, 5, 0))
    s.update(score=score, timeliness=timeliness, skill=skill, attitude=attitude, subs=subs,
             problem=problem, comment=comment, scale=scale, is_answered=answered)
    s["style"] = _time_styles(rng, n)
    order = np.argsort(s["sent"], kind="stable")
    s = {k: v[order] for k, v in s.items()}
    # The deliberately hostile comments the dashboard must show literally.
    low = np.flatnonzero(s["is_answered"] & (s["score"] <= 3) & (s["scale"] != 10))
    if len(low) >= len(HOSTILE_COMMENTS):
        hostile = low[np.linspace(0, len(low) - 1, len(HOSTILE_COMMENTS)).astype(int)]
        s["comment"][hostile] = HOSTILE_COMMENTS
    return s


def _complaints(rng: np.random.Generator, cal: _Calendar, t: dict, good: np.ndarray,
                low_ticket: np.ndarray, n_target: int) -> dict:
    """Complaints, mostly about tickets that went wrong."""
    rep = t["reported"]
    weight = (1 + 10 * t["arrival_breach"] + 6 * low_ticket + 2 * t["dip"]
              + 3 * (t["part_lead_days"] > 5)) * good
    p = np.minimum(1.0, weight * 0.9 * n_target / max(weight.sum(), 1.0))
    idx = np.flatnonzero(rng.random(len(rep)) < p)
    loose = rng.integers(0, len(rep), max(1, n_target // 10))
    tk = np.concatenate([idx, loose])
    linked = np.concatenate([np.ones(len(idx), bool), np.zeros(len(loose), bool)])
    n = len(tk)
    category = _pick(rng, n, [0.2, 0.1, 0.3, 0.15, 0.1, 0.15])
    category = np.where(t["part_lead_days"][tk] > 5, 4, category)
    # Only a fault has an analysis report to complain about.
    category = np.where((category == 5) & ~(linked & (t["category"][tk] == 0)), 2, category)
    category = np.where(t["arrival_breach"][tk] & linked, 1, category)
    after = np.where(np.isnan(t["resolved"][tk]), rep[tk] + rng.uniform(2, 24, n) * HOUR,
                     t["resolved"][tk] + rng.uniform(0.5, 72, n) * HOUR)
    during = rep[tk] + t["limit"][tk] * MINUTE + rng.uniform(10 * MINUTE, 3 * HOUR, n)
    received = np.where(category == 1, during, after)
    received = np.where(linked, received, rep[tk] + rng.uniform(0, 2 * HOUR, n))
    received = np.round(received / MINUTE) * MINUTE  # whole minutes: some go out as serials
    late = rng.random(n) < 0.07
    first = received + np.where(late, rng.uniform(2 * HOUR + MINUTE, 10 * HOUR, n),
                                np.clip(_lognormal(rng, 35 * MINUTE, 0.7, n), 3 * MINUTE,
                                        115 * MINUTE))
    first = np.where(rng.random(n) < 0.01, np.nan, np.round(first))
    slow = rng.random(n) < 0.08
    resolved = received + np.where(slow, rng.uniform(15.2, 40, n) * DAY,
                                   np.clip(_lognormal(rng, 4 * DAY, 0.7, n), 4 * HOUR, 14 * DAY))
    # Resolutions are agreed with the customer in office hours when that keeps the 15 days.
    office = cal.next_work_moment(resolved, rng, 2 * HOUR)
    resolved = np.where(office <= received + 15 * DAY, office, resolved)
    c = {
        "ticket": np.where(linked, tk, -1),
        "customer": t["customer"][tk],
        "received": received,
        "channel": _pick(rng, n, [0.6, 0.25, 0.02, 0.03, 0.10]),
        "category": category,
        "first_reply": first,
        "resolved": np.round(resolved),
    }
    keep = c["received"] <= T_EXTRACT
    c = {k: v[keep] for k, v in c.items()}
    order = np.argsort(c["received"], kind="stable")
    c = {k: v[order] for k, v in c.items()}
    n = len(c["received"])
    c["first_reply"] = np.where(c["first_reply"] > T_EXTRACT, np.nan, c["first_reply"])
    c["resolved"] = np.where(c["resolved"] > T_EXTRACT, np.nan, c["resolved"])
    c["description"] = _choose_by_group(rng, c["category"], _COMPLAINT_TEXT)
    c["resolution"] = np.where(np.isnan(c["resolved"]), "",
                               _choose_by_group(rng, c["category"], _COMPLAINT_RESOLUTION))
    c["manager"] = _choose_text(rng, COMPLAINT_MANAGERS, n)
    # A real register export sometimes gives the receipt time as a bare Excel serial number.
    c["serial"] = np.zeros(n, bool)
    c["serial"][rng.choice(n, size=max(1, n // 50), replace=False)] = True
    return c


def _actions(rng: np.random.Generator, cal: _Calendar, t: dict, s: dict, c: dict, r: dict,
             complaint_ids: np.ndarray, survey_ids: np.ndarray, ticket_ids: np.ndarray) -> dict:
    """Improvement actions from low scores, complaints, late reports and inspections."""
    low = np.flatnonzero(s["is_answered"] & (s["score"] <= 2) & (s["scale"] != 10))
    # Before the dip many low scores were left without follow-up; the dip changed that.
    p_action = np.where(s["answered"][low] < DIP_FROM, 0.65, 0.92)
    low = low[rng.random(len(low)) < p_action]
    src_survey = (low, s["answered"][low] + rng.uniform(4 * HOUR, 6 * DAY, len(low)))
    cidx = np.flatnonzero(rng.random(len(c["received"])) < 0.8)
    src_complaint = (cidx, c["received"][cidx] + rng.uniform(0.5, 3, len(cidx)) * DAY)
    late = np.flatnonzero(r["late_v1"] & (rng.random(len(r["ticket"])) < 0.25))
    src_report = (late, r["submitted"][late] + rng.uniform(1, 5, len(late)) * DAY)
    insp = np.flatnonzero((t["category"] == 3) & ~np.isnan(t["resolved"])
                          & (rng.random(len(t["reported"])) < 0.03) & t["good"])
    src_insp = (insp, t["resolved"][insp] + rng.uniform(1, 3, len(insp)) * DAY)

    problem_texts = np.array(PROBLEMS + ("报告超期", "巡检发现"), dtype=object)
    cp_group = np.array(_COMPLAINT_MEASURE_GROUP)[c["category"][cidx]]
    a = {
        "source_type": np.concatenate([np.full(len(low), "survey"), np.full(len(cidx), "complaint"),
                                       np.full(len(late), "fault_report"),
                                       np.full(len(insp), "inspection")]),
        "source_id": np.concatenate([survey_ids[low], complaint_ids[cidx],
                                     ticket_ids[r["ticket"][late]], ticket_ids[insp]]),
        "customer": np.concatenate([t["customer"][s["ticket"][low]], c["customer"][cidx],
                                    t["customer"][r["ticket"][late]], t["customer"][insp]]),
        "group": np.concatenate([s["problem"][low], cp_group, np.full(len(late), 7),
                                 np.full(len(insp), 8)]),
        "problem_text": np.concatenate([
            problem_texts[s["problem"][low]],
            np.array(COMPLAINT_CATEGORIES, dtype=object)[c["category"][cidx]],
            problem_texts[np.full(len(late), 7)], problem_texts[np.full(len(insp), 8)]]),
        "created": np.concatenate([src_survey[1], src_complaint[1], src_report[1], src_insp[1]]),
    }
    a["created"] = np.round(cal.next_work_moment(a["created"], rng, 3 * HOUR))
    keep = a["created"] <= T_EXTRACT
    a = {k: v[keep] for k, v in a.items()}
    order = np.argsort(a["created"], kind="stable")
    a = {k: v[order] for k, v in a.items()}
    n = len(a["created"])
    created = a["created"]
    due_day = np.floor(created / DAY) + np.array([10, 14, 15, 30])[rng.integers(0, 4, n)]
    a["due"] = due_day * DAY
    took = np.clip(_lognormal(rng, 6 * DAY, 0.6, n), 2 * HOUR, 120 * DAY)
    completed = np.round(cal.next_work_moment(created + took, rng, 6 * HOUR))
    cancelled = rng.random(n) < 0.03
    stuck = rng.random(n) < 0.03
    done = ~cancelled & ~stuck & (completed <= T_EXTRACT)
    verified_at = np.round(cal.next_work_moment(completed + rng.uniform(2, 20, n) * DAY, rng,
                                                6 * HOUR))
    verified = done & (rng.random(n) < 0.7) & (verified_at <= T_EXTRACT)
    status = np.where(cancelled, "cancelled", np.where(verified, "verified", np.where(
        done, "done", np.where(rng.random(n) < 0.3, "open", "in_progress"))))
    notified = np.round(cal.next_work_moment(completed + rng.uniform(1, 10, n) * DAY, rng,
                                             6 * HOUR))
    notified = np.where(done & (rng.random(n) < 0.85) & (notified <= T_EXTRACT), notified, np.nan)
    a.update(status=status, completed=np.where(done, completed, np.nan),
             verified=np.where(verified, verified_at, np.nan), notified=notified)

    group = a["group"]
    measures = _MEASURES + (_REPORT_MEASURES, _INSPECTION_MEASURES)
    a["measure"] = _choose_by_group(rng, group, measures)
    weak_rows = (a["source_type"] == "survey") & (group == _P_ARRIVAL)
    a["measure"] = np.where(weak_rows & (rng.random(n) < 0.3),
                            "对到场超时工程师专项辅导，夜间备勤改由组长带班", a["measure"])
    owners = _ACTION_OWNERS + (("质量管理部", ("赵雪梅",)), ("湛江服务部", ("陈志强", "张国栋")))
    a["owner_dept"] = np.array([o[0] for o in owners], dtype=object)[group]
    a["owner"] = _choose_by_group(rng, group, [o[1] for o in owners])
    a["result"] = np.where(done, _choose_text(rng, _RESULTS, n),
                          np.where(cancelled, "与其他措施重复，已合并处理", "")).astype(object)
    return a


def _duty_roster(rng: np.random.Generator, cal: _Calendar) -> dict:
    """1-2 duty engineers for each statutory holiday day, leaving two days uncovered."""
    days = np.flatnonzero(cal.statutory[:N_DAYS])
    uncovered = rng.choice(days, size=min(2, len(days)), replace=False)
    days = days[~np.isin(days, uncovered)]
    count = rng.integers(1, 3, len(days))
    day = np.repeat(days, count)
    onsite_engineers = np.concatenate(_TEAMS[:2] + (_TEAMS[3],))
    size = len(onsite_engineers)
    pos = rng.integers(0, size, len(day))
    # Two on one day are never the same person: shift the second by 1..size-1 places.
    second = np.r_[False, day[1:] == day[:-1]]
    pos = np.where(second, (np.roll(pos, 1) + rng.integers(1, size, len(day))) % size, pos)
    return {"day": day, "engineer": onsite_engineers[pos]}


# --- assembling the files -------------------------------------------------------------------------
def _bad_per_kind(n: int) -> int:
    return max(1, round(n * _BAD_TICKET_RATE))


@dataclass
class _Numbering:
    """Ids and file rows already used by earlier chunks of one export (all zero for the first)."""

    ticket_per_day: np.ndarray  # tickets numbered so far per report day
    surveys: int = 0
    complaints: int = 0
    actions: int = 0
    rows: dict[str, int] | None = None  # data rows written so far per entity


def build_sample(tickets: int = 6000, seed: int = 20251001) -> Sample:
    """Generate every entity of one export in memory (same seed, same rows)."""
    rng = np.random.default_rng(seed)
    cal = _Calendar(_CAL_DAYS)
    roster = _duty_roster(rng, cal)
    return _build(rng, cal, roster, tickets, seed, _Numbering(np.zeros(_CAL_DAYS, np.int64)))


def _chunks(tickets: int, seed: int, chunk: int):
    """The export as Samples of at most `chunk` tickets, ids and bad-row lines running on.

    The first chunk is build_sample(chunk, seed) itself; later ones draw from their own
    generator (seed, i) with the same roster and distributions, so memory stays that of one chunk.
    """
    rng = np.random.default_rng(seed)
    cal = _Calendar(_CAL_DAYS)
    roster = _duty_roster(rng, cal)
    numbering = _Numbering(np.zeros(_CAL_DAYS, np.int64), rows={})
    for i, start in enumerate(range(0, tickets, chunk)):
        if i:
            rng = np.random.default_rng([seed, i])
        yield _build(rng, cal, roster, min(chunk, tickets - start), seed, numbering)


def _build(rng: np.random.Generator, cal: _Calendar, roster: dict, tickets: int, seed: int,
           numbering: _Numbering) -> Sample:
    """Tickets and their dependents numbered after `numbering`, which is then moved on."""
    duty = {int(d): roster["engineer"][roster["day"] == d] for d in np.unique(roster["day"])}
    t = _tickets(rng, cal, tickets, duty)
    n = tickets

    # Choose the deliberately bad ticket rows first, so no survey or report hangs off them.
    k = _bad_per_kind(n)
    perm = rng.permutation(np.flatnonzero(t["reported"] < T_EXTRACT - 7 * DAY))
    onsite_arrived = ~np.isnan(t["arrived"][perm])
    bad_arrival = perm[onsite_arrived][:k]
    rest = perm[~np.isin(perm, bad_arrival)]
    bad_severity = rest[t["category"][rest] == 0][:k]
    rest = rest[~np.isin(rest, bad_severity)]
    bad_date, bad_customer, dup_src = rest[:k], rest[k:2 * k], rest[2 * k:3 * k]
    good = np.ones(n, bool)
    good[np.concatenate([bad_arrival, bad_severity, bad_date, bad_customer])] = False
    t["good"] = good
    t["parent"] = _parents(rng, t, good)
    # A reopened fault with a new cause is on the same device at the same site.
    child = np.flatnonzero(t["parent"] >= 0)
    t["device"][child] = t["device"][t["parent"][child]]
    t["site"][child] = t["site"][t["parent"][child]]

    ev = _events(rng, t, good)
    rep = _fault_reports(rng, cal, t, good)
    sv = _surveys(rng, cal, t, good)
    low_ticket = np.zeros(n, bool)
    low_ticket[sv["ticket"][sv["is_answered"] & (sv["score"] <= 2)]] = True
    cp = _complaints(rng, cal, t, good, low_ticket, max(2, round(n * 0.015)))

    # Ticket ids: report day plus the number within the day, in report order.
    day = cal.day(t["reported"])
    first_of_day = np.searchsorted(day, day, side="left")
    number = np.arange(n) - first_of_day + 1 + numbering.ticket_per_day[day]
    seq = pd.Series(number).astype(str).str.zfill(4).to_numpy(object)
    ticket_ids = "T" + cal.day_label[day] + seq
    survey_ids = _ids("MY", len(sv["ticket"]), 6, numbering.surveys)
    complaint_ids = _ids("TS", len(cp["received"]), 5, numbering.complaints)
    act = _actions(rng, cal, t, sv, cp, rep, complaint_ids, survey_ids, ticket_ids)
    numbering.ticket_per_day += np.bincount(day, minlength=len(numbering.ticket_per_day))
    numbering.surveys += len(survey_ids)
    numbering.complaints += len(complaint_ids)

    frames = {
        "tickets": _ticket_frame(t, ticket_ids),
        "ticket_events": _event_frame(rng, ev, ticket_ids),
        "fault_reports": _report_frame(rep, ticket_ids),
        "surveys": _survey_frame(sv, survey_ids, t, ticket_ids),
        "complaints": _complaint_frame(cp, complaint_ids, ticket_ids),
        "actions": _action_frame(act, numbering.actions),
        "customers": _customer_frame(),
        "engineers": _engineer_frame(),
        "duty_roster": _roster_frame(roster, cal),
    }

    # Spoil the chosen rows, then insert the exact duplicates right after their originals.
    tf = frames["tickets"]
    tf.loc[bad_date, "reported_at"] = np.where(np.arange(len(bad_date)) % 2 == 0,
                                               "2025-13-45 10:00", "待补录")
    tf.loc[bad_severity, "reported_severity"] = "紧急"
    tf.loc[bad_customer, "customer_id"] = ""
    early = t["reported"][bad_arrival] - rng.uniform(5, 90, len(bad_arrival)) * MINUTE
    tf.loc[bad_arrival, "arrived_at"] = _fmt_times(early, t["style"][bad_arrival])
    order = np.insert(np.arange(n), np.sort(dup_src) + 1, np.sort(dup_src))
    frames["tickets"] = tf.iloc[order].reset_index(drop=True)
    row_of = np.flatnonzero(np.r_[True, order[1:] != order[:-1]])  # first occurrence per ticket
    dup_rows = np.flatnonzero(np.r_[False, order[1:] == order[:-1]])

    sf = frames["surveys"]
    candidates = np.flatnonzero(sv["is_answered"] & (sv["score"] >= 4) & (sv["scale"] != 10)
                                & ~np.isin(sf["comment"].to_numpy(), HOSTILE_COMMENTS))
    n_bad_score = max(1, round(len(sv["ticket"]) * _BAD_SURVEY_RATE))
    bad_score = np.sort(rng.choice(candidates, size=min(n_bad_score, len(candidates)),
                                   replace=False))
    sf.loc[bad_score, "score"] = "6"

    bad = [
        ("tickets", row_of[bad_date], "unparseable_date"),
        ("tickets", row_of[bad_arrival], "arrived_before_reported"),
        ("tickets", dup_rows, "duplicate_key"),
        ("tickets", row_of[bad_severity], "unknown_severity"),
        ("tickets", row_of[bad_customer], "missing_customer"),
        ("surveys", bad_score, "score_out_of_range"),
    ]
    key_col = {"tickets": "ticket_id", "surveys": "survey_id"}
    records = [
        (f"{entity}.csv", int(r) + 1, int(r) + 2, frames[entity][key_col[entity]].iat[r], kind,
         BAD_ROW_REASONS[kind])
        for entity, rows, kind in bad for r in rows
    ]
    bad_rows = pd.DataFrame(records, columns=["file", "row_number", "line", "key", "kind",
                                              "reason"])
    bad_rows = bad_rows.sort_values(["file", "row_number"], ignore_index=True)
    numbering.actions += len(frames["actions"])
    if numbering.rows is not None:
        before = bad_rows["file"].str.removesuffix(".csv").map(numbering.rows).fillna(0)
        bad_rows["row_number"] += before.astype(np.int64)
        bad_rows["line"] += before.astype(np.int64)
        for entity, frame in frames.items():
            numbering.rows[entity] = numbering.rows.get(entity, 0) + len(frame)
    return Sample(frames=frames, bad_rows=bad_rows, seed=seed, tickets=tickets)


def _frame(entity: str, cols: dict) -> pd.DataFrame:
    """Columns in contract order, kept as plain Python objects (no inference, no Arrow copies)."""
    names = ENTITIES[entity].column_names
    return pd.DataFrame({c: np.asarray(cols[c], dtype=object) for c in names}, dtype=object)


def _ticket_frame(t: dict, ticket_ids: np.ndarray) -> pd.DataFrame:
    n = len(ticket_ids)
    style = t["style"]
    fault = t["category"] == 0

    def enum(name, values, index, present=None):
        out = np.array([_zh(name, v) for v in values], dtype=object)[np.maximum(index, 0)]
        if present is not None:
            out[~present] = ""
        return out

    recorded = t["flags_recorded"]
    cust_ids = np.array([c[0] for c in CUSTOMERS], dtype=object)
    eng_ids = np.array([e[0] for e in ENGINEERS], dtype=object)
    cols = {
        "ticket_id": ticket_ids,
        "customer_id": cust_ids[t["customer"]],
        "reported_at": _fmt_times(t["reported"], style),
        "channel": enum("channel", ("phone", "email", "sms", "fax", "im"), t["channel"]),
        "category": enum("category", ("fault", "upgrade", "installation", "inspection",
                                      "consultation"), t["category"]),
        "site": t["site"],
        "device": np.array([d[0] for d in DEVICES], dtype=object)[t["device"]],
        "reported_severity": enum("severity", ("general", "severe"), t["severe"].astype(int),
                                  fault),
        "error_ratio": _fmt_ratio(t["error_ratio"], ~np.isnan(t["error_ratio"]),
                                  t["error_ratio_decimal"]),
        "capacity_drop": _fmt_ratio(t["capacity_drop"], ~np.isnan(t["capacity_drop"]),
                                    t["capacity_drop_decimal"]),
        "system_down": _fmt_bool(t["system_down"], recorded),
        "network_down": _fmt_bool(t["network_down"], recorded),
        "key_device_down": _fmt_bool(t["key_device_down"], recorded),
        "imminent_outage": _fmt_bool(t["imminent_outage"], recorded),
        "responded_at": _fmt_times(t["responded"], style),
        "confirmed_at": _fmt_times(t["confirmed"], style),
        "engineer_id": np.where(t["engineer"] >= 0, eng_ids[np.maximum(t["engineer"], 0)], ""),
        "service_mode": enum("service_mode", ("onsite", "remote", "phone", "email"), t["mode"]),
        "arrived_at": _fmt_times(t["arrived"], style),
        "resolved_at": _fmt_times(t["resolved"], style),
        "closed_at": _fmt_times(t["closed"], style),
        "wait_minutes": _fmt_int(t["wait_minutes"], ~np.isnan(t["wait_minutes"])),
        "transfers": _fmt_int(t["transfers"]),
        "warranty": enum("warranty", ("in", "out"), t["warranty_out"].astype(int)),
        "parent_ticket_id": np.where(t["parent"] >= 0, ticket_ids[np.maximum(t["parent"], 0)], ""),
        "part_requested_at": _fmt_times(t["part_requested"], style),
        "part_received_at": _fmt_times(t["part_received"], style),
        "quote_status": enum("quote_status", ("accepted", "rejected", "pending"), t["quote"],
                             t["quote"] >= 0),
        "approved_at": _fmt_times(t["approved"], style),
    }
    assert len(cols) == len(ENTITIES["tickets"].columns) and n == len(cols["ticket_id"])
    return _frame("tickets", cols)


def _event_frame(rng: np.random.Generator, ev: dict, ticket_ids: np.ndarray) -> pd.DataFrame:
    m = len(ev["ticket"])
    return _frame("ticket_events", {
        "ticket_id": ticket_ids[ev["ticket"]],
        "at": _fmt_times(ev["at"].astype(float), _time_styles(rng, m)),
        "event": _zh_all("event", ev["event"]),
        "note": ev["note"],
    })


def _report_frame(r: dict, ticket_ids: np.ndarray) -> pd.DataFrame:
    decisions = np.array([_zh("customer_decision", d) for d in ("accepted", "rejected", "pending")],
                         dtype=object)
    cols = {
        "ticket_id": ticket_ids[r["ticket"]],
        "version": _fmt_int(r["version"]),
        "submitted_at": _fmt_times(r["submitted"], r["style"]),
        **{k: r[k] for k in ("fault_content", "affected_time", "affected_users",
                             "handling_process", "analysis", "lessons", "prevention")},
        "customer_decision": decisions[r["decision"]],
        "decided_at": _fmt_times(r["decided"], r["style"]),
        "reject_reason": r["reject_reason"],
    }
    return _frame("fault_reports", cols)


def _survey_frame(s: dict, survey_ids: np.ndarray, t: dict, ticket_ids: np.ndarray) -> pd.DataFrame:
    tk = s["ticket"]
    ten = s["scale"] == 10
    answered = s["is_answered"]

    def score(values, present):
        return _fmt_int(np.where(ten, values * 2, values), present)

    methods = np.array([_zh("method", m) for m in ("fax", "email", "phone")], dtype=object)
    eng_ids = np.array([e[0] for e in ENGINEERS], dtype=object)
    eng = t["engineer"][tk]
    cols = {
        "survey_id": survey_ids,
        "customer_id": np.array([c[0] for c in CUSTOMERS], dtype=object)[t["customer"][tk]],
        "sent_at": _fmt_times(s["sent"], s["style"]),
        "ticket_id": ticket_ids[tk],
        "engineer_id": np.where(eng >= 0, eng_ids[np.maximum(eng, 0)], ""),
        "survey_type": np.where(s["type"] == 0, _zh("survey_type", "onsite"),
                                _zh("survey_type", "case")),
        # An onsite sheet is a form filled in on the spot: a questionnaire.
        "method": np.where(s["method"] >= 0, methods[np.maximum(s["method"], 0)],
                           _zh("method", "questionnaire")),
        "answered_at": _fmt_times(s["answered"], s["style"]),
        "score": score(s["score"], answered),
        "timeliness": score(s["timeliness"], s["subs"]),
        "skill": score(s["skill"], s["subs"]),
        "attitude": score(s["attitude"], s["subs"]),
        "problem_category": np.where(s["problem"] >= 0, np.array(PROBLEMS, dtype=object)[
            np.maximum(s["problem"], 0)], ""),
        "comment": s["comment"],
        "score_scale": _fmt_int(s["scale"], s["scale"] > 0),
    }
    return _frame("surveys", cols)


def _excel_serial(t: np.ndarray) -> np.ndarray:
    """Excel serial day numbers (1900 date system) of the times."""
    offset = (START - dt.datetime(1899, 12, 30)).days
    return offset + t / DAY


def _complaint_frame(c: dict, complaint_ids: np.ndarray, ticket_ids: np.ndarray) -> pd.DataFrame:
    received = _datetimes(c["received"])
    serial = _excel_serial(c["received"])
    received[c["serial"]] = serial[c["serial"]].tolist()
    channels = np.array([_zh("channel", ch) for ch in ("phone", "email", "sms", "fax", "im")],
                        dtype=object)
    cols = {
        "complaint_id": complaint_ids,
        "customer_id": np.array([x[0] for x in CUSTOMERS], dtype=object)[c["customer"]],
        "received_at": received,
        "ticket_id": np.where(c["ticket"] >= 0, ticket_ids[np.maximum(c["ticket"], 0)], None),
        "channel": channels[c["channel"]],
        "category": np.array(COMPLAINT_CATEGORIES, dtype=object)[c["category"]],
        "description": c["description"],
        "complaint_manager": c["manager"],
        "first_reply_at": _datetimes(c["first_reply"]),
        "resolved_at": _datetimes(c["resolved"]),
        "resolution": np.where(c["resolution"] == "", None, c["resolution"]),
    }
    return _frame("complaints", cols)


def _action_frame(a: dict, start: int = 0) -> pd.DataFrame:
    n = len(a["created"])

    def text(values):
        return np.where(values == "", None, values).astype(object)

    cols = {
        "action_id": _ids("GJ", n, 5, start),
        "created_at": _datetimes(a["created"]),
        "due_date": _dates(a["due"]),
        "source_type": _zh_all("source_type", a["source_type"]),
        "source_id": a["source_id"],
        "customer_id": np.array([c[0] for c in CUSTOMERS], dtype=object)[a["customer"]],
        "problem_category": a["problem_text"],
        "measure": a["measure"],
        "owner_dept": a["owner_dept"],
        "owner": a["owner"],
        "status": _zh_all("action_status", a["status"]),
        "completed_at": _datetimes(a["completed"]),
        "verified_at": _datetimes(a["verified"]),
        "result": text(a["result"]),
        "customer_notified_at": _datetimes(a["notified"]),
    }
    return _frame("actions", cols)


def _customer_frame() -> pd.DataFrame:
    columns = list(zip(*CUSTOMERS, strict=True))
    return _frame("customers", {
        "customer_id": columns[0], "name": columns[1], "region": columns[2],
        "contract_start": [dt.date.fromisoformat(d) for d in columns[3]],
        "contract_end": [dt.date.fromisoformat(d) for d in columns[4]],
        "project_manager": columns[5],
        "report_emails": [REPORT_EMAILS[c] for c in columns[0]],
    })


def _engineer_frame() -> pd.DataFrame:
    return _frame("engineers", dict(zip(ENTITIES["engineers"].column_names,
                                        zip(*ENGINEERS, strict=True), strict=True)))


def _engineer_phones() -> np.ndarray:
    # Fictional mobile numbers, fixed per engineer (not drawn from the seed).
    return np.array([f"1380759{1200 + 37 * i:04d}" for i in range(len(ENGINEERS))], dtype=object)


def _roster_frame(roster: dict, cal: _Calendar) -> pd.DataFrame:
    return _frame("duty_roster", {
        "date": np.array([cal.dates[d] for d in roster["day"]], dtype=object),
        "engineer_id": np.array([e[0] for e in ENGINEERS], dtype=object)[roster["engineer"]],
        "phone": _engineer_phones()[roster["engineer"]],
        "note": cal.holiday_name[roster["day"]] + "值班",
    })


# --- writing --------------------------------------------------------------------------------------
def _headers(entity: str) -> list[str]:
    return [c.zh[0] for c in ENTITIES[entity].columns]


def _write_csv(frame: pd.DataFrame, entity: str, path: Path, append: bool = False) -> None:
    out = frame.copy()
    out.columns = _headers(entity)
    # Appending to a UTF-8-SIG file writes no second BOM: the codec only marks position 0.
    out.to_csv(path, index=False, encoding=CSV_ENCODING.get(entity, "utf-8"), lineterminator="\n",
               mode="a" if append else "w", header=not append)


def _cells(frame: pd.DataFrame) -> list[np.ndarray]:
    """Column values as openpyxl takes them: datetimes, dates, numbers, text, None."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            values = series.to_numpy().astype("datetime64[s]").astype(object)
        else:
            values = np.array(series.to_numpy(object), dtype=object)
        values[pd.isna(values)] = None
        columns.append(values)
    return columns


def _write_xlsx(frame: pd.DataFrame, entity: str, path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(ENTITIES[entity].zh)
    ws.append(_headers(entity))
    for row in zip(*_cells(frame), strict=True):
        ws.append(row)
    wb.properties.creator = "etl sample"
    wb.properties.created = wb.properties.modified = _FIXED_WORKBOOK_TIME
    buf = io.BytesIO()
    # ExcelWriter directly: save_workbook would stamp the current time as "modified".
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))


def write_sample(out_dir: Path, tickets: int = 6000, seed: int = 20251001,
                 csv_only: bool = False, chunk: int = CHUNK_TICKETS) -> dict[str, int]:
    """Write a realistic, deterministic export folder; return rows written per file name.

    csv_only writes the workbook entities as UTF-8 CSV too (for benchmarks against read_csv).
    More than `chunk` tickets are generated and appended a chunk at a time (see _chunks).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    books: dict[str, list[pd.DataFrame]] = {}  # a workbook is written once, after every chunk
    for i, sample in enumerate(_chunks(tickets, seed, chunk)):
        for entity, frame in sample.frames.items():
            if i and entity in _FIXED_ENTITIES:
                continue
            if entity in CSV_ENCODING or csv_only:
                name = f"{entity}.csv"
                _write_csv(frame, entity, out_dir / name, append=bool(i))
            else:
                name = f"{entity}.xlsx"
                books.setdefault(entity, []).append(frame)
            counts[name] = counts.get(name, 0) + len(frame)
        del sample, frame  # the next chunk is built while these would still be held
    for entity, frames in books.items():
        frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        _write_xlsx(frame, entity, out_dir / f"{entity}.xlsx")
    info = {"extracted_at": EXTRACTED_AT.strftime("%Y-%m-%d %H:%M"), "source": "etl sample",
            "seed": seed, "tickets": tickets}
    (out_dir / "export_info.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")
    return counts
