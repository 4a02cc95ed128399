"""Latest dates for time limits: "I applied on 3 November — by when must I be connected?"

Expected dates are worked out by hand from the State Council's official holiday
arrangements and written literally:

* 2024 Spring Festival: 2月10日–17日 off; 2月4日 (Sunday) and 2月18日 (Sunday) are working days.
* 2024 National Day: 10月1日–7日 off; 9月29日 (Sunday) and 10月12日 (Saturday) are working days.
* 2025 Spring Festival: 1月28日–2月4日 off; 1月26日 (Sunday) and 2月8日 (Saturday) are working days.
* 2025 National Day: 10月1日–8日 off; 9月28日 (Sunday) and 10月11日 (Saturday) are working days.

The start day does not count (受理当日不计): N working days after a start day end on the
Nth working day strictly after it.

From 2027 on no arrangement is published yet, and the days off are estimated from the
《全国年节及纪念日放假办法》 as amended in 2024. The 2027 festival days below are worked out
by hand from the Chinese calendar (春节 正月初一 is Saturday 2027年2月6日; the 12th lunar month
has 29 days, so 除夕 is 腊月廿九, Friday 2月5日; 清明 4月5日; 端午 6月9日; 中秋 9月15日):

* 元旦 Friday 1月1日.
* 春节 2月5日 (Friday) – 2月8日 (Monday); 初一 and 初二 fall on the weekend, made up on
  Tuesday 2月9日 and Wednesday 2月10日 (the办法's 第六条: 补假 on a working day; the first
  ones after the festival are taken).
* 劳动节 Saturday 5月1日, Sunday 5月2日 → 补假 Monday 5月3日, Tuesday 5月4日.
* 国庆节 Friday 10月1日 – Sunday 10月3日 → 补假 Monday 10月4日, Tuesday 10月5日.

The estimate is checked against the official calendar for 2025 and 2026, the years the
amended 办法 has applied to so far.
"""

from datetime import date, timedelta

import chinese_calendar
import pytest

from kb.answer.deadlines import (
    FIRST_ESTIMATED_YEAR,
    LAST_ESTIMATED_YEAR,
    Deadline,
    due_date,
    estimated_holidays,
    is_working_day,
    parse_start,
)
from kb.errors import DeadlineError, DeadlineUnknown


@pytest.mark.parametrize("day, working", [
    (date(2024, 2, 4), True),    # Sunday, 调休上班
    (date(2024, 2, 9), True),    # 除夕, a Friday: officially a working day in 2024
    (date(2024, 2, 10), False),  # 春节 first day
    (date(2024, 2, 17), False),  # 春节 last day
    (date(2024, 2, 18), True),   # Sunday, 调休上班
    (date(2024, 9, 29), True),   # Sunday, 调休上班
    (date(2024, 10, 7), False),  # 国庆 last day
    (date(2024, 10, 12), True),  # Saturday, 调休上班
    (date(2025, 1, 26), True),   # Sunday, 调休上班
    (date(2025, 1, 28), False),  # 除夕, first day off in 2025
    (date(2025, 2, 4), False),   # 春节 last day
    (date(2025, 2, 8), True),    # Saturday, 调休上班
    (date(2025, 9, 28), True),   # Sunday, 调休上班
    (date(2025, 10, 8), False),  # 国庆 last (8th) day
    (date(2025, 10, 11), True),  # Saturday, 调休上班
    (date(2025, 10, 12), False),  # an ordinary Sunday
])
def test_the_calendar_follows_the_official_arrangements(day, working):
    assert is_working_day(day) is working


def test_five_working_days_on_an_ordinary_week():
    deadline = due_date(date(2026, 11, 3), 5, "工作日")  # Tuesday → Wed, Thu, Fri, Mon, Tue
    assert deadline == Deadline(
        start=date(2026, 11, 3), amount=5, unit="工作日", due=date(2026, 11, 10),
        rule="自2026年11月3日（受理当日不计）起算5个工作日，跳过周末和法定节假日，调休上班日计入，最迟2026年11月10日。",
    )


@pytest.mark.parametrize("start, amount, due", [
    # Friday 2月2日: Saturday off, Sunday 2月4日 is a 调休 working day.
    (date(2024, 2, 2), 1, date(2024, 2, 4)),
    # Thursday 2月8日: Friday 2月9日 (1), the holiday 2月10日–17日, Sunday 2月18日 (2), Monday 2月19日 (3).
    (date(2024, 2, 8), 3, date(2024, 2, 19)),
    # Friday 9月27日: Saturday off, Sunday 9月29日 (1), Monday 9月30日 (2), holiday, 10月8日–10日 (3–5).
    (date(2024, 9, 27), 5, date(2024, 10, 10)),
    # Wednesday 10月9日: Thursday (1), Friday (2), Saturday 10月12日 调休 (3).
    (date(2024, 10, 9), 3, date(2024, 10, 12)),
    # Friday 1月24日: Saturday off, Sunday 1月26日 调休 (1), Monday 1月27日 (2).
    (date(2025, 1, 24), 2, date(2025, 1, 27)),
    # Monday 1月27日: holiday 1月28日–2月4日, then 2月5日–7日 (1–3) and Saturday 2月8日 调休 (4).
    (date(2025, 1, 27), 4, date(2025, 2, 8)),
    # Friday 9月26日: Sunday 9月28日 调休 (1), 9月29日 (2), 9月30日 (3), holiday 10月1日–8日, 10月9日 (4).
    (date(2025, 9, 26), 4, date(2025, 10, 9)),
    # Tuesday 9月30日: the next working day is after the eight-day holiday.
    (date(2025, 9, 30), 1, date(2025, 10, 9)),
])
def test_working_days_skip_holidays_and_count_adjusted_working_days(start, amount, due):
    assert due_date(start, amount, "工作日").due == due


def test_the_rule_names_the_adjusted_working_day_it_counted():
    assert due_date(date(2024, 2, 2), 1, "工作日").rule == (
        "自2024年2月2日（受理当日不计）起算1个工作日，跳过周末和法定节假日，"
        "调休上班日计入（含调休上班日2024年2月4日），最迟2024年2月4日。"
    )


@pytest.mark.parametrize("start, amount, due", [
    (date(2024, 2, 12), 1, date(2024, 2, 18)),  # 春节 Monday → the 调休 Sunday that ends the holiday
    (date(2024, 2, 12), 2, date(2024, 2, 19)),
    (date(2025, 1, 30), 1, date(2025, 2, 5)),   # 春节 → the first day after the holiday
    (date(2025, 10, 3), 3, date(2025, 10, 11)),  # 国庆 → 10月9日, 10日, Saturday 10月11日 调休
])
def test_a_start_inside_the_holiday_counts_from_the_first_working_day_after_it(start, amount, due):
    assert due_date(start, amount, "工作日").due == due


def test_half_a_working_day_rounds_up_to_the_next_working_day():
    deadline = due_date(date(2024, 2, 9), 0.5, "工作日")  # 除夕 Friday → holiday → Sunday 2月18日 调休
    assert deadline.due == date(2024, 2, 18)
    assert "0.5个工作日（不足1个工作日按1个工作日计）" in deadline.rule


@pytest.mark.parametrize("unit", ["日", "天"])
def test_calendar_days_are_not_moved_off_a_holiday(unit):
    deadline = due_date(date(2024, 9, 27), 5, unit)
    assert deadline.due == date(2024, 10, 2)  # inside the National Day holiday, and stays there
    assert deadline.rule == (
        f"自2024年9月27日（受理当日不计）起算5{unit}，按自然日计算，到期日遇周末或节假日不顺延，最迟2024年10月2日。"
    )


@pytest.mark.parametrize("hours, due", [
    (24, date(2024, 10, 1)),
    (36, date(2024, 10, 2)),  # 1.5 days → 2
    (48, date(2024, 10, 2)),
    (2, date(2024, 10, 1)),
])
def test_hours_become_whole_days(hours, due):
    assert due_date(date(2024, 9, 30), hours, "小时").due == due


def test_the_hours_rule_says_the_time_of_day_is_unknown():
    assert due_date(date(2024, 9, 30), 36, "小时").rule == (
        "自2024年9月30日起算36小时，受理时刻未知，按每24小时折合1日（不足24小时按1日计）计为2日，最迟2024年10月2日。"
    )


def test_a_leading_ge_is_accepted():
    assert due_date(date(2026, 11, 3), 5, "个工作日").unit == "工作日"


@pytest.mark.parametrize("unit", ["千瓦", "%", "环节", "千伏安"])
def test_a_unit_that_is_not_a_time_limit_is_refused(unit):
    with pytest.raises(DeadlineError, match="不是时限单位"):
        due_date(date(2024, 3, 1), 5, unit)


def test_months_are_a_time_but_not_counted_to_a_date():
    with pytest.raises(DeadlineError, match="以“月”计的时限不推算到期日"):
        due_date(date(2024, 3, 1), 1, "个月")


@pytest.mark.parametrize("amount", [0, -3, float("nan")])
def test_the_amount_must_be_positive(amount):
    with pytest.raises(DeadlineError, match="时限须为正数"):
        due_date(date(2024, 3, 1), amount, "工作日")


def _official_2027_is_published() -> bool:
    try:
        chinese_calendar.is_workday(date(2027, 1, 1))
    except NotImplementedError:
        return False
    return True


# chinesecalendar 1.11 knows 2004–2026. When a release with the 2027 arrangement is installed, the
# official one wins and these tests move to the first year it does not know.
needs_2027_unpublished = pytest.mark.skipif(_official_2027_is_published(),
                                            reason="chinesecalendar now has the official 2027 arrangement")

ESTIMATE_NOTE = ("（估算：2027年的放假安排国务院尚未公布，按《全国年节及纪念日放假办法》规定的节日推算，"
                 "节日逢周末在其后第一个工作日补假；调休上班和连休由国务院逐年安排，无法预知，实际日期可能不同）")


@needs_2027_unpublished
def test_counting_into_2027_is_estimated_and_skips_new_years_day():
    # Monday 2026年12月28日: 29日, 30日, 31日 (1–3, official), Friday 2027年1月1日 元旦, weekend, 1月4日 (4), 1月5日 (5).
    deadline = due_date(date(2026, 12, 28), 5, "工作日")
    assert deadline == Deadline(
        start=date(2026, 12, 28), amount=5, unit="工作日", due=date(2027, 1, 5), estimated=True,
        rule="自2026年12月28日（受理当日不计）起算5个工作日，跳过周末和法定节假日，调休上班日计入，最迟2027年1月5日"
             + ESTIMATE_NOTE + "。",
    )
    assert deadline.to_dict()["estimated"] is True


@needs_2027_unpublished
@pytest.mark.parametrize("day, working", [
    (date(2026, 12, 31), True),   # Thursday, official
    (date(2027, 1, 1), False),    # 元旦, Friday
    (date(2027, 1, 4), True),     # Monday
    (date(2027, 2, 4), True),     # Thursday before 除夕
    (date(2027, 2, 5), False),    # 除夕 (腊月廿九), Friday
    (date(2027, 2, 8), False),    # 初三, Monday
    (date(2027, 2, 9), False),    # 补假 for 初一 on Saturday
    (date(2027, 2, 10), False),   # 补假 for 初二 on Sunday
    (date(2027, 2, 11), True),    # Thursday after the holiday
    (date(2027, 4, 5), False),    # 清明, Monday
    (date(2027, 5, 4), False),    # 补假 for 5月2日 on Sunday
    (date(2027, 5, 5), True),
    (date(2027, 6, 9), False),    # 端午, Wednesday
    (date(2027, 9, 15), False),   # 中秋, Wednesday
    (date(2027, 10, 5), False),   # 补假 for 10月3日 on Sunday
    (date(2027, 10, 6), True),    # no 连休 is guessed: the State Council has not said
    (date(2027, 10, 9), False),   # an ordinary Saturday: no 调休 is guessed either
])
def test_2027_working_days_come_from_the_estimate(day, working):
    assert is_working_day(day) is working


@needs_2027_unpublished
@pytest.mark.parametrize("start, amount, due", [
    # Thursday 2月4日: 除夕 2月5日 – 初三 2月8日 and 补假 2月9日, 10日 are skipped; Thursday 2月11日 (1).
    (date(2027, 2, 4), 1, date(2027, 2, 11)),
    # Wednesday 2月3日: Thursday 2月4日 (1), Thursday 2月11日 (2), Friday 2月12日 (3), Monday 2月15日 (4).
    (date(2027, 2, 3), 4, date(2027, 2, 15)),
    # Starting on 除夕 counts from the first working day after the festival.
    (date(2027, 2, 5), 0.5, date(2027, 2, 11)),
])
def test_the_2027_spring_festival_is_skipped(start, amount, due):
    deadline = due_date(start, amount, "工作日")
    assert (deadline.due, deadline.estimated) == (due, True)


def test_the_2027_estimate_lists_the_festival_days_of_the_decree_and_their_make_up_days():
    assert estimated_holidays(2027) == {
        date(2027, 1, 1): "元旦",
        date(2027, 2, 5): "春节", date(2027, 2, 6): "春节", date(2027, 2, 7): "春节", date(2027, 2, 8): "春节",
        date(2027, 2, 9): "春节补假", date(2027, 2, 10): "春节补假",
        date(2027, 4, 5): "清明节",
        date(2027, 5, 1): "劳动节", date(2027, 5, 2): "劳动节",
        date(2027, 5, 3): "劳动节补假", date(2027, 5, 4): "劳动节补假",
        date(2027, 6, 9): "端午节",
        date(2027, 9, 15): "中秋节",
        date(2027, 10, 1): "国庆节", date(2027, 10, 2): "国庆节", date(2027, 10, 3): "国庆节",
        date(2027, 10, 4): "国庆节补假", date(2027, 10, 5): "国庆节补假",
    }


@pytest.mark.parametrize("year, new_years_eve, not_eve", [
    (2027, date(2027, 2, 5), date(2027, 2, 4)),  # 腊月 has 29 days: 除夕 is 廿九
    (2030, date(2030, 2, 2), date(2030, 2, 1)),  # 腊月 has 30 days: 除夕 is 三十 (初一 is Sunday 2030年2月3日)
])
def test_chuxi_is_the_last_day_of_the_twelfth_lunar_month(year, new_years_eve, not_eve):
    holidays = estimated_holidays(year)
    assert holidays[new_years_eve] == "春节"
    assert not_eve not in holidays


def test_a_festival_day_shared_by_two_festivals_is_made_up():
    # 2028: 中秋 is 10月3日 (Tuesday), a 国庆节 day; 10月1日 is a Sunday. As in 2020 (中秋 on 10月1日),
    # each festival gets its day: two 补假, Wednesday 10月4日 and Thursday 10月5日.
    holidays = estimated_holidays(2028)
    assert [day for day in holidays if day.month == 10] == [date(2028, 10, d) for d in (1, 2, 3, 4, 5)]
    assert holidays[date(2028, 10, 4)].endswith("补假") and holidays[date(2028, 10, 5)].endswith("补假")


# The official calendar's English names for the festivals the estimate names in Chinese.
OFFICIAL_NAMES = {
    "元旦": chinese_calendar.Holiday.new_years_day.value,
    "春节": chinese_calendar.Holiday.spring_festival.value,
    "清明节": chinese_calendar.Holiday.tomb_sweeping_day.value,
    "劳动节": chinese_calendar.Holiday.labour_day.value,
    "端午节": chinese_calendar.Holiday.dragon_boat_festival.value,
    "中秋节": chinese_calendar.Holiday.mid_autumn_festival.value,
    "国庆节": chinese_calendar.Holiday.national_day.value,
}


@pytest.mark.parametrize("year", range(FIRST_ESTIMATED_YEAR, 2027))
def test_every_estimated_day_off_is_an_official_holiday_of_the_same_festival(year):
    # 2025 and 2026 are the years the amended 办法 has governed so far: what the estimate says of them is
    # checked against the State Council's arrangements, as chinesecalendar records them.
    holidays = estimated_holidays(year)
    assert len([name for name in holidays.values() if not name.endswith("补假")]) >= 12  # 13 days, two may share one
    for day, name in holidays.items():
        assert chinese_calendar.get_holiday_detail(day) == (True, OFFICIAL_NAMES[name.removesuffix("补假")]), day


@pytest.mark.parametrize("year", range(FIRST_ESTIMATED_YEAR, 2027))
def test_the_estimate_differs_from_the_official_calendar_only_on_days_the_state_council_moved(year):
    # Day by day over the whole year: where the estimate and the arrangement disagree, the arrangement
    # either gave a weekday off in exchange (chinesecalendar's in_lieu_days: 连休) or made a weekend day a
    # working day (调休上班). Nothing else: no festival day or 补假 is missing or misplaced.
    day, differ = date(year, 1, 1), set()
    holidays = estimated_holidays(year)
    while day.year == year:
        if (day.weekday() < 5 and day not in holidays) != chinese_calendar.is_workday(day):
            differ.add(day)
        day += timedelta(days=1)
    in_lieu = {d for d in chinese_calendar.in_lieu_days if d.year == year}
    weekend_working = {d for d in chinese_calendar.workdays if d.year == year and d.weekday() >= 5}
    assert in_lieu and weekend_working  # the comparison is not vacuous
    assert differ == in_lieu | weekend_working


def test_qingming_agrees_with_an_independent_reckoning_in_every_estimated_year():
    # chinesecalendar computes solar terms by its own formula (寿星公式), not from lunar_python.
    for year in range(FIRST_ESTIMATED_YEAR, LAST_ESTIMATED_YEAR + 1):
        qingming = [day for day, name in estimated_holidays(year).items() if name == "清明节"]
        official = [day for day, term in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
                    if term == "清明"]
        assert qingming == official, year


@pytest.mark.parametrize("start, amount", [
    (date(2024, 2, 8), 3),
    (date(2025, 9, 26), 4),
    (date(2026, 12, 28), 3),  # 29日, 30日, 31日: the count stays in 2026
    (date(2004, 1, 2), 1),
])
def test_an_official_year_is_never_labelled_estimated(start, amount):
    deadline = due_date(start, amount, "工作日")
    assert deadline.estimated is False
    assert "估算" not in deadline.rule


def test_counting_through_two_estimated_years_names_both():
    # Thursday 2027年12月30日: Friday 31日 (1); Saturday 2028年1月1日 元旦 → 补假 Monday 1月3日; 4日–7日 (2–5).
    deadline = due_date(date(2027, 12, 30), 5, "工作日")
    assert deadline.due == date(2028, 1, 7)
    assert deadline.estimated and "估算：2027年、2028年的放假安排国务院尚未公布" in deadline.rule


@pytest.mark.parametrize("year, day", [
    (2003, date(2003, 6, 2)),  # before chinesecalendar's data and before the amended 办法
    (2100, date(2100, 3, 3)),  # past the estimate
])
def test_a_year_neither_calendar_covers_is_reported_not_guessed(year, day):
    with pytest.raises(DeadlineUnknown, match=f"^节假日数据未覆盖{year}年，无法计算工作日$") as raised:
        due_date(day, 5, "工作日")
    assert raised.value.year == year
    with pytest.raises(DeadlineUnknown, match=f"^节假日数据未覆盖{year}年"):
        is_working_day(day)


def test_counting_past_the_estimate_names_the_first_year_it_lacks():
    # Monday 2099年12月28日: 29日, 30日, 31日 are estimated, 2100年1月1日 is not.
    assert due_date(date(2099, 12, 28), 3, "工作日").due == date(2099, 12, 31)
    with pytest.raises(DeadlineUnknown, match="^节假日数据未覆盖2100年"):
        due_date(date(2099, 12, 28), 5, "工作日")


def test_calendar_days_and_hours_need_no_holiday_data():
    for deadline in (due_date(date(2100, 3, 3), 15, "日"), due_date(date(2100, 3, 3), 24, "小时")):
        assert deadline.estimated is False
    assert due_date(date(2100, 3, 3), 15, "日").due == date(2100, 3, 18)
    assert due_date(date(2100, 3, 3), 24, "小时").due == date(2100, 3, 4)


def test_to_dict_is_json_ready():
    assert due_date(date(2026, 11, 3), 5, "工作日").to_dict() == {
        "start": "2026-11-03", "amount": 5, "unit": "工作日", "due": "2026-11-10",
        "rule": "自2026年11月3日（受理当日不计）起算5个工作日，跳过周末和法定节假日，调休上班日计入，最迟2026年11月10日。",
        "estimated": False,
    }


@needs_2027_unpublished
def test_an_answer_marks_an_estimated_deadline(corpus_index):
    from kb.answer import ask

    answer = ask(corpus_index, "高压双电源用户供电方案答复时限", start=date(2026, 12, 31))  # every due date is in 2027
    assert answer.deadlines
    for deadline in answer.deadlines:
        assert deadline["estimated"] is True and deadline["due"].startswith("2027-")
        assert "估算" in deadline["rule"] and "调休" in deadline["rule"]


TODAY = date(2026, 12, 1)


@pytest.mark.parametrize("question, start", [
    ("我11月3日申请的，最晚什么时候接电？", date(2026, 11, 3)),
    ("我十一月三日申请的", date(2026, 11, 3)),  # normalize: 十一月三日 → 11月3日
    ("十一月三号报装", date(2026, 11, 3)),  # 号 is read too, Chinese numerals included
    ("11月3号", date(2026, 11, 3)),
    ("2026年11月3日提交申请", date(2026, 11, 3)),
    ("二〇二五年十月九日受理", date(2025, 10, 9)),
    ("2026-11-03", date(2026, 11, 3)),
    ("2026/11/3 申请", date(2026, 11, 3)),
    ("１１月３日", date(2026, 11, 3)),  # full-width digits
    ("11月3日申请，5个工作日内能装好吗", date(2026, 11, 3)),
    ("1月20日申请", date(2026, 1, 20)),  # a month and day are read in today's year
])
def test_parse_start_finds_the_date(question, start):
    assert parse_start(question, TODAY) == start


def test_a_month_and_day_far_ahead_of_today_is_last_year():
    assert parse_start("11月3日申请", date(2026, 1, 10)) == date(2025, 11, 3)
    assert parse_start("11月3日申请", date(2026, 10, 20)) == date(2026, 11, 3)  # two weeks ahead: this year
    assert parse_start("2026年11月3日", date(2026, 1, 10)) == date(2026, 11, 3)  # a stated year is kept


@pytest.mark.parametrize("question", ["多少个工作日能接电？", "5个工作日内", "2月30日申请", "2025年申请的", ""])
def test_parse_start_without_a_date_is_none(question):
    assert parse_start(question, TODAY) is None


def test_the_units_counted_to_a_date_are_read_from_units_yaml(tmp_path):
    """The time units are data (``units.yaml`` ``deadlines``): a vocabulary that also counts 自然日 as calendar
    days gives its latest date, and names it among the units counted when another unit is refused."""
    import shutil

    import yaml

    from kb.answer.deadlines import TimeUnits
    from kb.vocab import DATA_DIR, Vocab

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    units = yaml.safe_load((data / "units.yaml").read_text(encoding="utf-8"))
    units["deadlines"]["calendar_days"].append("自然日")
    (data / "units.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    counted = TimeUnits.of(Vocab(data_dir=data))
    assert due_date(date(2024, 9, 27), 3, "自然日", counted).due == date(2024, 9, 30)
    with pytest.raises(DeadlineError, match="工作日、日、天、自然日、小时"):
        due_date(date(2024, 9, 27), 3, "星期", counted)
    with pytest.raises(DeadlineError):
        due_date(date(2024, 9, 27), 3, "自然日")  # the package's own data does not count it
