"""Question understanding: region, customer type, item, conditions, what is asked."""

import pytest

from kb.answer.question import understand


@pytest.mark.parametrize("text, region, subject, item", [
    ("高压双电源多久能通电", None, "高压双电源用户", "全过程办电时间"),
    ("巴彦淖尔三零低压接电几天", "巴彦淖尔市", "实行“三零”服务的低压用户", "全过程办电时间"),
    ("鄂尔多斯 １０千伏 单电源 供电方案答复", "鄂尔多斯市", "高压单电源用户", "供电方案答复"),
    ("电动车充电桩报装要几个环节", None, "充电桩", "办电环节数"),
    ("小微企业零投资容量上限", None, "低压小微企业", "零投资容量上限"),
    ("未实行三零服务的低压用户办电合计要几天", None, "未实行“三零”服务的低压用户", "各环节合计时间"),
])
def test_customer_type_item_and_region(text, region, subject, item):
    question = understand(text)
    assert (question.region, question.subjects[0], question.items[0]) == (region, subject, item)
    assert question.asks_figure


def test_conditions_and_wanted_units():
    question = understand("实行三零服务的低压用户，没有电力外线工程的，全过程办电时间不超过多少")
    assert question.qualifiers == ["无外线工程"]
    assert understand("居民个人充电桩报装有几个环节").wants_unit == "环节"
    assert understand("转供电清零目标是哪一年").wants_unit == "年"
    assert understand("用电报装各环节合计时间要压缩多少").wants_unit == "%"


def test_a_question_outside_the_domain_names_nothing():
    question = understand("明天会下雨吗")
    assert not (question.subjects or question.items or question.region or question.asks_figure)


def test_a_named_unit_of_time_is_the_one_asked():
    # 最短 / 时限 alone accept any duration; 几年 beside them asks years (a 7日 is not an answer to 几年)
    assert understand("汽车三包有效期最短几年").families == ["years"]
    assert set(understand("供电方案答复时限几个工作日").families) >= {"working_days", "days"}
    assert "years" not in understand("供电方案答复时限几个工作日").families
    assert {"days", "hours", "years"} <= set(understand("停电要提前多久通知").families)


def test_how_often_asks_a_period_and_which_of_a_series_asks_a_position():
    """多久…一次 asks how often (每半年 answers it; a span only where no period is read); 第几次 asks a position of that counter only;
    a span asked without 一次 asks no period."""
    assert "period" in understand("水箱多久清洗消毒一次").families
    assert "years" in understand("水箱多久清洗消毒一次").families
    assert "period" not in understand("维保记录保存几年").families
    assert understand("这部法律是第几次会议通过的").families == ["ordinal:次"]
    assert understand("第几届人大通过的").families == ["ordinal:届"]


def test_a_question_about_a_documents_history_is_told_from_one_that_is_not():
    assert understand("这个条例什么时候修正的").asks_document_event
    assert not understand("今年冬天集中供暖几号开始").asks_document_event


def test_the_longest_asking_word_decides_what_is_asked():
    # 在哪一步之前 holds 在哪 (where) and 哪一步 (which step): the longer word is what is asked
    assert understand("工业项目的临时电源最晚要在哪一步之前建到红线").kind == "which"
    assert understand("电费在哪里交").kind == "place"


def test_a_yes_or_no_question_that_names_a_time_limit_asks_no_figure():
    """过了期限 is the case the question is about; 算受理了吗 asks yes or no. 期限是多久 asks the figure."""
    question = understand("材料不全，行政机关过了期限也没告诉我要补正，那算受理了吗")
    assert (question.kind, question.families) == ("yesno", [])
    assert understand("补正的期限是多久").families


def test_money_counted_in_yuan_asks_no_share_or_multiple():
    assert "percent" not in understand("停电把冰箱里的东西放坏了，每户赔多少钱").families
    assert {"money", "percent", "multiple"} <= set(understand("迟报事故的负责人罚多少").families)


def test_a_prohibition_or_a_choice_negates_no_word():
    assert not any(g.negated for g in understand("被撤销驾驶证的几年内不能再申领").groups)
    assert not any(g.negated for g in understand("市场监管局决定立不立案后几个工作日内告诉我").groups)
    assert [g.word for g in understand("没实行三零的低压非居民用户几天").groups if g.negated] == ["实行"]


def test_who_or_where_asked_inside_a_frame_keeps_the_frame():
    assert understand("学校要办校车使用许可，向哪个部门申请").around == ("向", "申请")
    assert understand("谁负责电力设施保护").around == ("", "")  # no preposition: no frame
    assert understand("高压双电源供电方案答复几天").around == ("", "")


def test_a_negation_passes_over_the_words_it_passes_over_in_a_text_too():
    """不给办 negates 办, as 未能及时填写 negates 填写 in a text; 给 itself names no case."""
    groups = {g.word: g for g in understand("商家多少天不给办退货手续").groups}
    assert groups["办"].negated and not groups["给"].negated and groups["给"].either


def test_a_word_said_both_ways_or_offered_as_a_choice_names_no_case():
    """房东不及时修，租客自己修了 says 修 negated and not; 受理不受理 asks which: neither is a case to match."""
    fixed = {g.word: g for g in understand("房东不及时修，租客自己修了，钱谁出").groups}
    assert fixed["修"].either and not fixed["修"].negated
    choice = {g.word: g for g in understand("几个工作日内决定受理不受理").groups}
    assert choice["受理"].either and not choice["受理"].negated


def test_a_count_asked_accepts_people_and_the_longest_asking_word_names_the_unit():
    """几个代表 is answered in 名 or 人; 多大年纪 asks an age, not the 多大 of a magnitude."""
    assert {"count", "people"} <= set(understand("好多人一起投诉，可以推选几个代表").families)
    assert understand("多大年纪以上的人不执行拘留").families == ["age"]


def test_between_asking_words_as_long_the_one_reaching_into_the_noun_decides():
    """在哪个阶段 asks which stage (哪个 reaches the noun), not where; 在哪些情况下 asks for the cases to read."""
    assert understand("工业仓储用地项目在哪个阶段纳入储备库").kind == "which"
    assert understand("供电公司在哪些情况下可以停电").kind == "passage"
    assert understand("去哪里申请").kind == "place"


def test_the_head_asked_about_is_the_word_after_the_asking_word():
    """哪个阶段就进… asks about 阶段 (not 阶段就进); a who question ending on 哪个部门 asks for what modifies 部门,
    one going on (向哪个部门申请) is read in its frame; 哪些情况 asks for the cases to read."""
    assert understand("工业仓储用地项目在哪个阶段就进供电企业的储备库").heads == ["阶段"]
    assert understand("巴彦淖尔口岸供电说的是哪个口岸").heads == ["口岸"]
    assert understand("整栋居民楼停电要提前报告哪个部门？").heads == ["部门"]
    assert understand("学校要办校车使用许可，向哪个部门申请").heads == []
    assert understand("哪些情况下公司不能辞退员工").heads == []


@pytest.mark.parametrize("text, families", [
    ("青岛测出来室温15度，不是我家的原因，暖气费能退多少", []),  # 室温 names the case's 15度, not what is asked
    ("室温达不到多少度可以退费", ["temperature"]),  # 多少度 asks it
    ("我58岁，最大能到几岁", ["age"]),  # 几岁 asks an age, whatever the question's own age
    ("拖了两个月，罚款多少", ["money"]),  # 罚款 names no family of the question's own 两个月
])
def test_a_noun_naming_the_unit_of_the_questions_own_figure_asks_nothing(text, families):
    asked = understand(text).families
    assert all(family in asked for family in families) and (families or not asked)


def test_a_region_set_aside_is_not_the_region_asked_about():
    """不是呼和浩特的其他盟市 / 除包头以外 ask about the rest of the region above: its parent, the one set aside
    kept beside it (the understood line says so); a region named plainly is the region."""
    question = understand("不是呼和浩特的其他盟市高压单电源用户接电几天")
    assert (question.region, question.excluded_regions) == ("内蒙古自治区", ["呼和浩特市"])
    assert understand("除包头以外的盟市低压居民办电几天").excluded_regions == ["包头市"]
    assert understand("除包头以外的盟市低压居民办电几天").region == "内蒙古自治区"
    plain = understand("呼和浩特市高压单电源用户接电几天")
    assert (plain.region, plain.excluded_regions) == ("呼和浩特市", [])


def test_a_noun_of_a_unit_family_is_what_a_who_question_asks_about():
    """罚款由谁决定 asks who, not how much: 罚款 stays a word of the question to find its clause by."""
    question = understand("罚款由谁决定")
    assert question.kind == "agent" and question.families == []
    assert "罚款" in [g.word for g in question.groups]
    assert understand("罚款是多少").families  # asked with its own wording it is the figure asked


def test_a_word_that_asks_for_the_end_of_a_range_stands_alone():
    """最低 inside 最低工资 names a wage; 最低 / 最多 / 最长 of their own ask for an end of a range."""
    assert understand("山东省现在的最低工资标准是多少").range_end == ""
    assert understand("最高人民法院在哪").range_end == ""
    assert understand("捐全血一次最多能抽多少毫升").range_end == "top"
    assert understand("试用期最长能约定多久").range_end == "top"
    assert understand("最少多少人").range_end == "bottom"


def test_a_count_of_people_asked_without_a_unit_is_said_so():
    """多少业主提议 counts people (业主 names a person), 扣几分 counts points."""
    question = understand("北京要开业主大会临时会议，得有多少业主提议")
    assert question.counted and question.counts_people
    assert not understand("酒驾扣几分").counts_people


def test_not_being_a_case_negates_it():
    """不是厨房卫生间防水那种 sets the 防水 case aside, as 没 / 未 do; 是不是 asks a yes or no and negates nothing."""
    assert [g.word for g in understand("不是厨房卫生间防水那种，一般的装修工程最低保修几年").groups if g.negated] == ["厨房"]
    assert not any(g.negated for g in understand("这个是不是征求意见稿").groups)


@pytest.mark.parametrize("text", ["举报线索发挥了重要作用，奖金是多少", "旅行社要存多少质量保证金", "押金多少"])
def test_a_sum_asked_of_a_noun_that_names_money_asks_for_money(text):
    """多少 with no unit, of a noun ending in 金 / 费 / 款 / 工资 …, asks a sum (``money_heads``), not a count."""
    question = understand(text)
    assert "money" in question.families and not question.counted


def test_a_named_family_is_what_a_how_big_question_asks():
    """多大岁数 asks an age: 多大 alone would accept any magnitude, a count among them."""
    assert understand("七十二岁的老人，多大岁数以上不能送进候问室").families == ["age"]
    assert "count" in understand("多大").families


def test_a_unit_asked_outweighs_a_word_for_a_number_kind():
    """录音保存几年 asks years although 电话 words a question for a telephone number."""
    question = understand("120呼救电话录音至少保存几年")
    assert (question.kind, question.families) == ("figure", ["years"])
    assert understand("供电服务热线电话是多少").kind == "code"


def test_the_asking_words_name_no_condition():
    """哪个单位负责 asks who; it does not name 单位 as the case against 个人."""
    assert "单位" not in understand("鄂尔多斯供电是哪个单位负责调度派单").conditions
    assert "单位" in understand("单位违反规定的罚多少").conditions


def test_a_year_asked_is_no_span_of_time():
    """完成时限是哪年底 names a 时限 but asks a year: no duration answers it, while 时限几个工作日 still asks one."""
    assert understand("停电时间压减的要求，完成时限是哪年底").families == []
    assert understand("停电时间压减的要求，完成时限是哪年底").kind == "date"
    assert "working_days" in understand("供电方案答复时限几个工作日").families


def test_what_the_question_says_it_does_not_ask_is_negated():
    """不是问施行日期: 问 is passed over, as 能 is in 不能办; 施行 is the case set aside."""
    groups = {g.word: g.negated for g in understand("这个条例是哪天公布的？不是问施行日期").groups}
    assert groups["施行"] and not groups["公布"]


def test_how_many_parts_a_plan_names_is_a_count():
    assert "count" in understand("供电企业要聚焦聚力几大任务").families


@pytest.mark.parametrize("text, choices", [
    ("记分办法里说的十日、三十日是工作日还是自然日", ["工作日", "自然日"]),
    ("燃气管道坏了该房东修还是租客修", ["房东", "租客"]),
    ("电费是供电公司收还是物业收？", ["供电公司", "物业"]),
])
def test_an_alternative_question_asks_which_of_its_two_choices_the_rule_states(text, choices):
    question = understand(text)
    assert (question.kind, question.alternatives) == ("alternative", choices)
    assert not set(question.conditions) & set(choices)  # the choices are what is asked, not a case named


@pytest.mark.parametrize("text", ["交了电费还是停电了怎么办", "申请了一个月还是没通电，多久能通电", "我申请了还是没通电吗"])
def test_still_is_no_choice(text):
    """还是 also means "still": a question that goes on after it, or says 还是没…, offers no choices."""
    assert understand(text).alternatives == []
