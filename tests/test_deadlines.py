"""Latest dates for time limits: "I applied on 3 November — by when must I be connected?"

Expected dates are worked out by hand from the State Council's official holiday
arrangements and written literally:

* 2024 Spring Festival: 2月10日–17日 off; 2月4日 (Sunday) and 2月18日 (Sunday) are working days.
* 2024 National Day: 10月1日–7日 off; 9月29日 (Sunday) and 10月12日 (Saturday) are working days.
* 2025 Spring Festival: 1月28日–2月4日 off; 1月26日 (Sunday) and 2月8日 (Saturday) are working days.
* 2025 National Day: 10月1日–8日 off; 9月28日 (Sunday) and 10月11日 (Saturday) are working days.

The start day does not count (受理当日不计): N working days after a start day end on the
Nth working day strictly after it.
"""

from datetime import date

import pytest

from kb.deadlines import Deadline, DeadlineUnknown, due_date, is_working_day, parse_start


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
    with pytest.raises(ValueError, match="不是时限单位"):
        due_date(date(2024, 3, 1), 5, unit)


def test_months_are_a_time_but_not_counted_to_a_date():
    with pytest.raises(ValueError, match="以“月”计的时限不推算到期日"):
        due_date(date(2024, 3, 1), 1, "个月")


@pytest.mark.parametrize("amount", [0, -3, float("nan")])
def test_the_amount_must_be_positive(amount):
    with pytest.raises(ValueError, match="时限须为正数"):
        due_date(date(2024, 3, 1), amount, "工作日")


def test_a_year_the_calendar_does_not_cover_is_reported_not_guessed():
    with pytest.raises(DeadlineUnknown, match="^节假日数据未覆盖2031年，无法计算工作日$") as raised:
        due_date(date(2031, 3, 3), 5, "工作日")
    assert raised.value.year == 2031


def test_counting_into_an_uncovered_year_names_that_year():
    # chinesecalendar 1.11 knows 2004–2026. Monday 2026年12月28日: 29日, 30日, 31日 are known,
    # 2027年1月1日 is not. When a release with the 2027 arrangement is installed, move this to 2027/2028.
    with pytest.raises(DeadlineUnknown, match="2027年"):
        due_date(date(2026, 12, 28), 5, "工作日")
    assert due_date(date(2026, 12, 28), 3, "工作日").due == date(2026, 12, 31)


def test_calendar_days_and_hours_need_no_holiday_data():
    assert due_date(date(2031, 3, 3), 15, "日").due == date(2031, 3, 18)
    assert due_date(date(2031, 3, 3), 24, "小时").due == date(2031, 3, 4)


def test_to_dict_is_json_ready():
    assert due_date(date(2026, 11, 3), 5, "工作日").to_dict() == {
        "start": "2026-11-03", "amount": 5, "unit": "工作日", "due": "2026-11-10",
        "rule": "自2026年11月3日（受理当日不计）起算5个工作日，跳过周末和法定节假日，调休上班日计入，最迟2026年11月10日。",
    }


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
