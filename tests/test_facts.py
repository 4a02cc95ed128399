"""Fact extraction: figures read from prose and tables of texts the code has never seen."""

from kb.facts import extract
from kb.parse import parse


def facts_of(body: str, title: str = "测试文件"):
    doc = parse(body, title)
    return [f for c in doc.clauses if c.indexable for f in extract(c, "t")]


def figures(facts):
    return [(f.subject, f.item, f.value, f.unit, f.bound) for f in facts]


def test_a_limit_in_prose():
    facts = facts_of("一、低压用户全过程办电时间不超过4个工作日。\n")
    assert figures(facts) == [("低压用户", "全过程办电时间", 4, "工作日", "不超过")]
    assert facts[0].clause == "c1" and facts[0].label == "一、"


def test_chinese_numerals_are_read_as_figures():
    facts = facts_of("一、高压双电源用户装表接电不超过三个工作日，计划检修停电应提前七日通知。\n")
    assert ("高压双电源用户", "装表接电", 3, "工作日", "不超过") in figures(facts)
    assert any(f.value == 7 and f.unit == "日" and f.item == "提前通知时间" for f in facts)


def test_values_distributed_over_a_list_of_subjects():
    facts = facts_of("一、未实行“三零”服务的低压非居民用户、高压单电源和双电源用户的合计办理时间分别压减至6个、22个、32个工作日以内。\n")
    assert figures(facts) == [
        ("未实行“三零”服务的低压非居民用户", "各环节合计时间", 6, "工作日", "以内"),
        ("高压单电源用户", "各环节合计时间", 22, "工作日", "以内"),
        ("高压双电源用户", "各环节合计时间", 32, "工作日", "以内"),
    ]


def test_a_list_with_more_values_than_subjects_keeps_each_value_in_its_place():
    facts = facts_of("一、市区、城镇用户年均停电时间分别压减至1个、2个、5个小时以内。\n")
    assert [(f.value, f.qualifiers) for f in facts] == [(1, ["第1项"]), (2, ["第2项"]), (5, ["第3项"])]
    assert {f.subject for f in facts} == {"市区、城镇"}


def test_conditions_stay_with_their_own_figure():
    facts = facts_of("一、低压用户全过程办电时间，无电力外线工程的不超过5个工作日，有电力外线工程的不超过15个工作日。\n")
    assert [(f.value, f.qualifiers) for f in facts] == [(5, ["无外线工程"]), (15, ["有外线工程"])]


def test_a_condition_before_the_figure_in_the_same_sentence_applies():
    facts = facts_of("第二十条 因供电设施临时检修需要停止供电时，供电企业应当提前二十四小时通知重要用户。\n")
    assert figures(facts) == [("供电企业", "提前通知时间", 24, "小时", "")]
    assert facts[0].qualifiers == ["临时检修"]


def test_ranges_dates_percentages_and_target_years():
    body = ("第一条 逾期未交付电费的，每日按照电费总额的1‰至3‰加收违约金。\n\n"
            "第二条 新建居住区100%建设充电桩。\n\n"
            "第三条 实现2031年“转供电”清零目标。\n\n"
            "第四条 本办法自二〇三〇年三月一日起施行。\n")
    facts = facts_of(body)
    assert ("", "违约金比例", "1‰至3", "‰", "至") in figures(facts)
    assert ("新建居住区", "充电桩建设比例", 100, "%", "") in figures(facts)
    assert any(f.value == 2031 and f.item == "清零目标年份" for f in facts)
    assert any(f.value == "2030年3月1日" and f.item == "施行日期" for f in facts)


def test_one_figure_for_every_type_joined_before_it():
    facts = facts_of("一、居民用户和实行“三零”服务的低压非居民用户用电报装环节压缩至2个。\n")
    assert {(f.subject, f.value, f.unit) for f in facts} == {
        ("居民用户", 2, "环节"), ("实行“三零”服务的低压非居民用户", 2, "环节")}


def test_voltages_and_windows_are_conditions_not_figures():
    facts = facts_of("一、严格按照“一年内停电次数不超过5次”“连续60天停电次数不超过3次”标准。\n\n二、10千伏高压用户办电环节压缩至4个。\n")
    assert [(f.value, f.unit, f.qualifiers) for f in facts] == [
        (5, "次", ["1年内"]), (3, "次", ["连续60天"]), (4, "环节", ["10千伏"])]


def test_table_rows_give_one_fact_per_cell():
    body = ("## 附件1\n\n时限表\n\n单位：工作日\n\n| 用户类型 | 各环节办理时间 / 供电方案答复 | 合计办理时间 |\n| --- | --- | --- |\n"
            "| 高压单电源用户 | 9 | 19 |\n")
    assert figures(facts_of(body)) == [("高压单电源用户", "供电方案答复", 9, "工作日", "不超过"),
                                       ("高压单电源用户", "各环节合计时间", 19, "工作日", "不超过")]


def test_columns_can_be_the_customer_types_and_rows_the_stages():
    body = ("## 附件1\n\n10千伏工程时限规定表\n\n| 环节名称 | 节点名称 | 规定时限 / 单电源 | 规定时限 / 双电源 |\n| --- | --- | --- | --- |\n"
            "| 竣工接电 | 电网配套工程实施 | 12 | 17 |\n\n注：1.时限单位：工作日\n")
    assert figures(facts_of(body)) == [("高压单电源用户", "电网配套工程实施", 12, "工作日", "不超过"),
                                       ("高压双电源用户", "电网配套工程实施", 17, "工作日", "不超过")]


def test_row_numbers_are_not_figures_and_years_in_a_row_qualify_its_figures():
    body = ("| 序号 | 重点任务 | 完成时限 |\n| --- | --- | --- |\n"
            "| 3 | 实行“三零”服务的低压非居民用户全过程办电时间分别压减至20个、15个工作日以内。 | 2031年、2032年底前 |\n")
    facts = facts_of(body)
    assert [(f.value, f.qualifiers[-1]) for f in facts] == [(20, "2031年"), (15, "2032年")]


def test_real_corpus_time_limit_row(corpus_index):
    facts = corpus_index.facts_by_clause["002#att2-t1-r3"]
    assert {(f["item"], f["value"]) for f in facts} >= {("供电方案答复", 20), ("各环节合计时间", 32)}
    assert all(f["region"] == "内蒙古自治区" and f["status"] == "征求意见稿" for f in facts)
