"""Latest dates for time limits: "I applied on 3 November — by when must I be connected?"

Given a start date (the day the application was accepted) and a time limit from an
answer (5个工作日, 15日, 24小时), ``due_date`` states the latest date and one Chinese
sentence saying how it was counted. ``parse_start`` finds the start date in a question.

Counting conventions (each ``Deadline.rule`` states the one it used):

* The start day itself does not count (受理当日不计): N units after ``start`` end
  on the Nth unit strictly after it.
* 工作日 (working days): the Nth working day after ``start``. Weekends and China's
  statutory holidays are skipped; adjusted working days (调休上班日, weekend days
  that are official working days) count. A fraction rounds up to a whole working
  day (0.5个工作日 → the next working day).
* 日 / 天 (calendar days): ``start`` + N days (a fraction rounds up). The due day
  is not moved when it falls on a weekend or holiday: calendar days are calendar days.
* 小时 (hours): ``start`` + ceil(N / 24) days. The time of day of the application
  is unknown, so hours are turned into whole days and the rule says so.
* Any other unit (千瓦, %, 环节, 月, …) is refused with ``DeadlineError``.

Holidays and 调休 days come from the maintained ``chinese-calendar`` package
(PyPI ``chinesecalendar``, import ``chinese_calendar``), which follows the State
Council's yearly arrangements: for the years it covers (2004–2026 in 1.11) the official
arrangement is used and always wins.

A year it does not cover has no published arrangement yet. From 2025 to
``LAST_ESTIMATED_YEAR`` its days off are then computed from the 《全国年节及纪念日放假办法》
as amended on 2024-11-10 (in force from 2025-01-01), see ``estimated_holidays``:

* 第二条: 元旦 1月1日; 春节 农历除夕 and 正月初一–初三 (除夕 is the last day of the 12th
  lunar month, 廿九 or 三十); 清明节 the day of the solar term 清明; 劳动节 5月1日–2日;
  端午节 农历五月初五; 中秋节 农历八月十五; 国庆节 10月1日–3日. Lunar dates and 清明 come
  from ``lunar_python`` (PyPI ``lunar-python``).
* 第六条: a festival day on a Saturday or Sunday is made up (补假) on a working day. The
  办法 does not say which; the estimate takes the first weekday after it that is not
  already off, as the State Council did in 2025 and 2026. A day two festivals share
  (中秋 on 1–3 October) is made up the same way, as in 2020.

What cannot be estimated is the State Council's yearly 调休 (weekend days made working
days) and 连休 (bridging days off): a deadline counted through an estimated year has
``Deadline.estimated`` set and its rule says 估算 and why. A year neither covers (before
2004, or after ``LAST_ESTIMATED_YEAR``) is ``DeadlineUnknown`` naming it
("节假日数据未覆盖2100年，无法计算工作日"), never guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import chinese_calendar
from lunar_python import Lunar

from kb.analysis.numerals import cn_to_int
from kb.errors import DeadlineError, DeadlineUnknown
from kb.vocab import Vocab, default_vocab

# parse_start: a month/day without a year lies at most this far ahead of today, else it was last year.
FUTURE_TOLERANCE = timedelta(days=61)

# The amended 《全国年节及纪念日放假办法》 is in force from 2025-01-01; the versions before it gave other
# days (劳动节 one day, 春节 three), and chinesecalendar covers all of those years anyway.
FIRST_ESTIMATED_YEAR = 2025
# Two independent reckonings of 清明 (lunar_python's and chinesecalendar's 寿星公式) agree up to 2099
# and disagree in 2100: past that even the festival days would be a guess.
LAST_ESTIMATED_YEAR = 2099
# 第二条 of the 办法: the festival days on fixed Gregorian dates, and those on lunar dates (month, day).
GREGORIAN_FESTIVAL_DAYS = (("元旦", 1, 1), ("劳动节", 5, 1), ("劳动节", 5, 2),
                           ("国庆节", 10, 1), ("国庆节", 10, 2), ("国庆节", 10, 3))
LUNAR_FESTIVAL_DAYS = (("春节", 1, 1), ("春节", 1, 2), ("春节", 1, 3), ("端午节", 5, 5), ("中秋节", 8, 15))
MAKE_UP_DAY = "补假"  # suffix of a made-up day's name: 国庆节补假
ESTIMATE_NOTE = ("（估算：{years}的放假安排国务院尚未公布，按《全国年节及纪念日放假办法》规定的节日推算，"
                 "节日逢周末在其后第一个工作日补假；调休上班和连休由国务院逐年安排，无法预知，实际日期可能不同）")

_CN_NUMERAL = "零〇一二两三四五六七八九十"
_NUM = rf"\d{{1,2}}|[{_CN_NUMERAL}]{{1,3}}"
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_CN_DATE = re.compile(rf"(?:(?<!\d)(\d{{4}})\s*年\s*)?(?<![\d{_CN_NUMERAL}])({_NUM})\s*月\s*({_NUM})\s*[日号]")


@dataclass(frozen=True)
class TimeUnits:
    """The units a time limit is counted to a date in (``units.yaml`` ``deadlines``)."""

    working_days: str  # 工作日: the Nth working day
    calendar_days: tuple[str, ...]  # 日, 天: start + N days
    hours: str  # 小时: start + ceil(N / 24) days
    uncounted: tuple[str, ...]  # 月, 年 …: time, but not counted to a date here

    @classmethod
    def of(cls, vocab: Vocab) -> TimeUnits:
        """The time units of ``vocab``'s ``units.yaml``."""
        spec = vocab.units["deadlines"]
        return cls(spec["working_days"], tuple(spec["calendar_days"]), spec["hours"], tuple(spec["uncounted"]))

    @property
    def counted(self) -> tuple[str, ...]:
        """Every unit counted to a date: working days, calendar days, hours."""
        return (self.working_days, *self.calendar_days, self.hours)


@dataclass
class Deadline:
    """A time limit counted from a start date to the latest date."""

    start: date  # the day the clock starts (the application date)
    amount: float  # e.g. 5, 0.5, 24
    unit: str  # 工作日 | 日 | 天 | 小时
    due: date  # the latest date
    rule: str  # one short Chinese sentence explaining the counting
    # True when the count went through a year without a published arrangement (see estimated_holidays);
    # the rule then says 估算 and why.
    estimated: bool = False

    def to_dict(self) -> dict:
        """JSON-ready: dates as ISO strings (2026-11-10), ``estimated`` as a boolean."""
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["due"] = self.due.isoformat()
        return data


def cn_date(day: date) -> str:
    """2026-11-03 → 2026年11月3日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _figure(amount: float) -> str:
    """5.0 → 5, 0.5 → 0.5."""
    return str(int(amount)) if float(amount).is_integer() else f"{amount:g}"


def _solar(lunar: Lunar) -> date:
    solar = lunar.getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def estimated_holidays(year: int) -> dict[date, str]:
    """The days off the 《全国年节及纪念日放假办法》 (as amended in 2024) gives in ``year``, by festival name.

    The festival days of 第二条, and for each that falls on a weekend or on another festival's day a
    补假 ("国庆节补假") on the first weekday after it that is not already off (第六条 says only "在工作日补假").
    The State Council's 调休 and 连休 are not in it: they are decided year by year. Raises
    ``DeadlineUnknown`` outside ``FIRST_ESTIMATED_YEAR``–``LAST_ESTIMATED_YEAR``.
    """
    if not FIRST_ESTIMATED_YEAR <= year <= LAST_ESTIMATED_YEAR:
        raise DeadlineUnknown(year)
    new_year = Lunar.fromYmd(year, 1, 1)  # 正月初一 of the lunar year that begins in January/February of ``year``
    qingming = new_year.getJieQiTable()["清明"]
    festival_days = [(date(year, month, day), name) for name, month, day in GREGORIAN_FESTIVAL_DAYS]
    festival_days += [(_solar(Lunar.fromYmd(year, month, day)), name) for name, month, day in LUNAR_FESTIVAL_DAYS]
    # 除夕 is the day before 初一, whether the 12th month has 29 or 30 days.
    festival_days.append((_solar(new_year.next(-1)), "春节"))
    festival_days.append((date(qingming.getYear(), qingming.getMonth(), qingming.getDay()), "清明节"))

    days_off: dict[date, str] = {}
    to_make_up: list[tuple[date, str]] = []
    for day, name in sorted(festival_days, key=lambda festival_day: festival_day[0]):  # stable: 国庆节 keeps 10月3日
        if day.weekday() >= 5 or day in days_off:
            to_make_up.append((day, name))
        days_off.setdefault(day, name)
    # Every festival day is placed before any 补假, so a 补假 never lands on a festival day still to come.
    for day, name in to_make_up:
        while day.weekday() >= 5 or day in days_off:
            day += timedelta(days=1)
        days_off[day] = name + MAKE_UP_DAY
    return days_off


class _WorkingCalendar:
    """Working days for one count: the official arrangement where published, else the estimate.

    Remembers the years it had to estimate (for the rule) and their days off (computed once per year).
    """

    def __init__(self) -> None:
        self.estimated_years: dict[int, dict[date, str]] = {}

    def is_working_day(self, day: date) -> bool:
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            pass  # no published arrangement for this year: estimate it
        if day.year not in self.estimated_years:
            self.estimated_years[day.year] = estimated_holidays(day.year)
        return day.weekday() < 5 and day not in self.estimated_years[day.year]


def is_working_day(day: date) -> bool:
    """True on a working day (调休上班日 included).

    The official arrangement where chinesecalendar has it, else ``estimated_holidays`` plus weekends;
    ``DeadlineUnknown`` when neither covers the year.
    """
    return _WorkingCalendar().is_working_day(day)


def _check(amount: float, unit: str, units: TimeUnits) -> str:
    unit = unit.strip().removeprefix("个")
    if unit not in units.counted:
        counted = "、".join(units.counted)
        if unit in units.uncounted:
            raise DeadlineError(f"以“{unit}”计的时限不推算到期日，可推算的时限单位为{counted}")
        raise DeadlineError(f"“{unit}”不是时限单位（可推算的时限单位为{counted}）")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(amount) or amount <= 0:
        raise DeadlineError(f"时限须为正数，而不是{amount!r}")
    return unit


def _add_days(start: date, days: int) -> date:
    try:
        return start + timedelta(days=days)
    except OverflowError as error:
        raise DeadlineError(f"时限过长：{start.isoformat()}之后{days}日超出可表示的日期") from error


def _working_due(start: date, days: int, calendar: _WorkingCalendar) -> tuple[date, list[date]]:
    """The ``days``-th working day strictly after ``start``, and the 调休 weekend days counted on the way."""
    day, counted, adjusted = start, 0, []
    while counted < days:
        day = _add_days(day, 1)
        if calendar.is_working_day(day):
            counted += 1
            if day.weekday() >= 5:
                adjusted.append(day)
    return day, adjusted


def due_date(start: date, amount: float, unit: str, units: TimeUnits | None = None) -> Deadline:
    """The latest date of a time limit of ``amount`` ``unit`` counted from ``start`` (start day not counted).

    ``unit`` is 工作日, 日, 天 or 小时 (a leading 个 as in 个工作日 is accepted). Raises ``DeadlineError``
    for other units or a non-positive amount, and ``DeadlineUnknown`` when a working day to count
    falls in a year neither the official calendar nor the estimate covers. Counting working days
    through a year without a published arrangement gives ``estimated=True`` and says so in the rule.
    ``units`` are the units counted, as ``kb/data/units.yaml`` names them (default: the package's).
    """
    units = units or TimeUnits.of(default_vocab())
    unit = _check(amount, unit, units)
    figure = f"{_figure(amount)}{'个' if unit == units.working_days else ''}{unit}"
    since = f"自{cn_date(start)}（受理当日不计）起算{figure}"
    days = math.ceil(amount)
    rounding = ""
    estimated = False
    if unit == units.working_days:
        calendar = _WorkingCalendar()
        due, adjusted = _working_due(start, days, calendar)
        if days != amount:
            rounding = "（不足1个工作日按1个工作日计）"
        counted = f"（含调休上班日{'、'.join(cn_date(d) for d in adjusted)}）" if adjusted else ""
        estimated_years = "、".join(f"{year}年" for year in calendar.estimated_years)
        estimated = bool(estimated_years)
        note = ESTIMATE_NOTE.format(years=estimated_years) if estimated else ""
        rule = f"{since}{rounding}，跳过周末和法定节假日，调休上班日计入{counted}，最迟{cn_date(due)}{note}。"
    elif unit in units.calendar_days:
        due = _add_days(start, days)
        if days != amount:
            rounding = "（不足1日按1日计）"
        rule = f"{since}{rounding}，按自然日计算，到期日遇周末或节假日不顺延，最迟{cn_date(due)}。"
    else:
        days = math.ceil(amount / 24)
        due = _add_days(start, days)
        rule = (f"自{cn_date(start)}起算{figure}，受理时刻未知，按每24小时折合1日（不足24小时按1日计）"
                f"计为{days}日，最迟{cn_date(due)}。")
    return Deadline(start=start, amount=amount, unit=unit, due=due, rule=rule, estimated=estimated)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else cn_to_int(text)


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_start(text: str, today: date, normalize: Callable[[str], str] | None = None) -> date | None:
    """The first date in a question: "11月3日申请", "2026年11月3日", "2026-11-03", "2026/11/3", "十一月三日".

    A month and day without a year are taken in ``today``'s year, or the year before when that
    would put the date more than about two months (``FUTURE_TOLERANCE``) after ``today``.
    Impossible dates (2月30日) are skipped; None when the question names no date. ``normalize`` is the
    vocabulary's (default: the package's).
    """
    normalize = normalize or default_vocab().analysis.normalize
    norm = normalize(text)  # 十一月三日 → 11月3日; a 号 day (三号) stays Chinese and is read here
    found: list[tuple[int, date]] = []
    for match in _ISO_DATE.finditer(norm):
        day = _valid(*(int(group) for group in match.groups()))
        if day:
            found.append((match.start(), day))
    for match in _CN_DATE.finditer(norm):
        year_text, month_text, day_text = match.groups()
        month, day_of_month = _number(month_text), _number(day_text)
        if month is None or day_of_month is None:
            continue
        if year_text:
            day = _valid(int(year_text), month, day_of_month)
        else:
            day = _valid(today.year, month, day_of_month)
            if day is None or day - today > FUTURE_TOLERANCE:
                day = _valid(today.year - 1, month, day_of_month)
        if day:
            found.append((match.start(), day))
    return min(found, key=lambda item: item[0])[1] if found else None
