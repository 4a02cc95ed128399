"""Which rule applies: the standing of each document for a region on a date (kb.answer.standing).

The examples build a small corpus of metadata by hand, shaped like the real front matter:
a national law, an autonomous-region plan, a draft meant to replace that plan, two city
notices (the newer prevails where they differ), a regional rule whose five-year term has run
out, a city rule that takes effect next year, and a notice for another city.
"""

import datetime as dt
import json
from pathlib import Path

import pytest

from kb.answer.references import resolve_reference
from kb.answer.standing import Standing, ordered, standings
from kb.corpus import load_corpus
from kb.errors import UnknownRegion
from kb.vocab import default_vocab

ON = dt.date(2026, 11, 23)
PLAN_TITLE = "内蒙古自治区全面提升“获得电力”服务水平优化营商环境行动方案"

DOCS = {
    "law": {"title": "中华人民共和国电力法", "doc_number": None, "issuer": "全国人民代表大会常务委员会",
            "region": "全国", "status": "现行有效", "issued": "1995-12-28", "effective": "1996-04-01"},
    "plan": {"title": PLAN_TITLE, "doc_number": "内能电力字〔2024〕857号", "issuer": "内蒙古自治区能源局",
             "region": "内蒙古自治区", "status": "现行有效", "issued": "2024-12-01", "effective": "2024-12-01"},
    "draft": {"title": "内蒙古自治区深化提升“获得电力”服务水平行动方案(征求意见稿)", "doc_number": None,
              "region": "内蒙古自治区", "status": "征求意见稿", "issued": "2025", "effective": None,
              "validity": "5年",
              "supersedes": [{"ref": "内能电力字〔2024〕857号", "title": PLAN_TITLE, "extent": "全部废止"}]},
    "city_old": {"title": "鄂尔多斯电业局关于进一步优化用电营商环境的通知", "doc_number": "鄂电营销〔2021〕66号",
                 "region": "鄂尔多斯市", "status": "现行有效", "issued": "2021-05-10", "effective": "2021-05-10"},
    "city_new": {"title": "鄂尔多斯供电公司关于进一步压缩业扩配套管理时限的通知", "doc_number": "鄂电营销〔2022〕64号",
                 "region": "鄂尔多斯市", "status": "现行有效", "issued": "2022-07-17", "effective": "2022-07-17",
                 "supersedes": [{"ref": "鄂电营销〔2021〕66号", "extent": "不一致之处以本文件为准"}]},
    "expired": {"title": "内蒙古自治区用电报装三年行动计划", "doc_number": "内能电力字〔2019〕100号",
                "region": "内蒙古自治区", "status": "现行有效", "issued": "2019-04-20", "effective": "2019-05-01",
                "validity": "5年"},
    "future": {"title": "鄂尔多斯市居民充电桩报装办法", "doc_number": "鄂电营销〔2026〕9号", "region": "鄂尔多斯市",
               "status": "现行有效", "issued": "2026-10-01", "effective": "2027-01-01"},
    "other_city": {"title": "巴彦淖尔市持续优化用电营商环境行动方案", "doc_number": "巴政办字〔2024〕79号",
                   "region": "巴彦淖尔市", "status": "现行有效", "issued": "2024", "effective": None},
}


def with_docs(**extra: dict) -> dict:
    """The example corpus plus some more documents."""
    return {**DOCS, **extra}


@pytest.fixture()
def ordos() -> dict[str, Standing]:
    return standings(DOCS, "鄂尔多斯市", ON)


# -- what binds where -------------------------------------------------------------

def test_in_a_city_the_city_the_region_and_the_nation_all_bind(ordos):
    binding = {doc_id for doc_id, s in ordos.items() if s.binding}
    assert binding == {"law", "plan", "city_old", "city_new"}
    assert [ordos[d].level for d in ("law", "plan", "city_new")] == [0, 1, 2]


def test_every_document_is_returned_binding_or_not(ordos):
    assert set(ordos) == set(DOCS)
    assert all(isinstance(s, Standing) for s in ordos.values())


def test_a_document_for_another_city_is_in_force_but_does_not_apply_here(ordos):
    other = ordos["other_city"]
    assert other.in_force and not other.applies_here and not other.binding
    assert other.effective_status == "现行有效"
    assert "适用于巴彦淖尔市，不适用于鄂尔多斯市" in other.notes


def test_without_a_region_every_document_applies():
    result = standings(DOCS, None, ON)
    assert all(s.applies_here for s in result.values())
    assert result["other_city"].binding and result["city_new"].binding


def test_the_region_is_canonicalised():
    short = standings(DOCS, "鄂尔多斯", ON)
    assert {k: v.to_dict() for k, v in short.items()} == {k: v.to_dict() for k, v in standings(
        DOCS, "鄂尔多斯市", ON).items()}


def test_an_unknown_region_is_a_clear_error():
    with pytest.raises(UnknownRegion, match="未知地区“火星市”"):
        standings(DOCS, "火星市", ON)


def test_a_regional_document_binds_in_the_region_but_a_city_document_does_not():
    region = standings(DOCS, "内蒙古自治区", ON)
    assert region["plan"].binding and region["law"].binding
    assert not region["city_new"].applies_here and region["city_new"].in_force


# -- drafts, dates and terms ------------------------------------------------------

def test_a_draft_is_not_in_force(ordos):
    draft = ordos["draft"]
    assert (draft.in_force, draft.binding, draft.applies_here) == (False, False, True)
    assert draft.effective_status == "征求意见稿" and draft.status == "征求意见稿"
    assert "征求意见稿，尚未施行" in draft.notes


def test_a_draft_does_not_repeal_yet_but_the_target_says_it_is_proposed(ordos):
    plan = ordos["plan"]
    assert plan.binding and plan.effective_status == "现行有效"
    assert plan.superseded_by == []
    assert f"征求意见稿《{DOCS['draft']['title']}》拟废止本文件" in plan.notes
    assert ordos["draft"].repeals == ["plan"]


def test_a_draft_with_a_validity_but_no_date_gets_no_expiry(ordos):
    assert ordos["draft"].expires is None


def test_not_yet_effective_until_its_effective_date():
    before = standings(DOCS, "鄂尔多斯市", ON)["future"]
    assert before.effective_status == "尚未施行" and not before.in_force and not before.binding
    assert "自2027-01-01起施行，尚未施行" in before.notes
    on_the_day = standings(DOCS, "鄂尔多斯市", dt.date(2027, 1, 1))["future"]
    assert on_the_day.binding and on_the_day.effective_status == "现行有效"


def test_without_an_effective_date_a_document_is_in_force_from_its_issue_date():
    docs = with_docs(notice={"title": "通知", "region": "全国", "status": "现行有效", "issued": "2026-12-01"})
    assert standings(docs, None, ON)["notice"].effective_status == "尚未施行"
    assert standings(docs, None, dt.date(2026, 12, 1))["notice"].in_force


def test_a_year_alone_never_makes_a_document_not_yet_effective():
    docs = with_docs(plan2026={"title": "方案", "region": "全国", "status": "现行有效", "issued": "2026",
                               "effective": "2026"})
    assert standings(docs, None, dt.date(2026, 1, 1))["plan2026"].in_force
    assert standings(docs, None, dt.date(2026, 1, 1))["other_city"].in_force  # issued "2024", no effective


def test_a_validity_period_counts_from_the_effective_date_and_ends_the_document():
    last_day = standings(DOCS, "鄂尔多斯市", dt.date(2024, 4, 30))["expired"]
    assert last_day.binding and last_day.expires == "2024-05-01"
    ended = standings(DOCS, "鄂尔多斯市", dt.date(2024, 5, 1))["expired"]
    assert ended.effective_status == "已失效" and not ended.in_force and not ended.binding
    assert "有效期5年，已于2024-05-01届满" in ended.notes


@pytest.mark.parametrize("validity, expires", [("3年", "2023-03-01"), ("两年", "2022-03-01"),
                                               ("6个月", "2020-09-01"), ("一年半", "2021-09-01")])
def test_validity_may_be_written_in_chinese_numerals_or_months(validity, expires):
    docs = {"x": {"title": "x", "region": "全国", "status": "现行有效", "issued": "2020-03-01",
                  "validity": validity}}
    assert standings(docs, None, ON)["x"].expires == expires  # counted from issued when no effective date


def test_a_stated_expiry_ends_the_document_on_that_day():
    docs = with_docs(dated={"title": "试行办法", "region": "全国", "status": "现行有效",
                            "effective": "2020-01-01", "expires": "2026-11-23", "validity": "10年"})
    dated = standings(docs, None, ON)["dated"]
    assert dated.expires == "2026-11-23" and dated.effective_status == "已失效"
    assert standings(docs, None, dt.date(2026, 11, 22))["dated"].in_force


def test_a_status_that_does_not_bind_is_respected():
    docs = with_docs(gone={"title": "旧办法", "region": "全国", "status": "已废止", "effective": "2001-01-01"})
    gone = standings(docs, None, ON)["gone"]
    assert gone.effective_status == "已废止" and not gone.in_force


def test_the_date_defaults_to_today():
    today = dt.date.today()
    docs = {"today": {"title": "今日施行", "region": "全国", "status": "现行有效", "effective": today.isoformat()},
            "tomorrow": {"title": "明日施行", "region": "全国", "status": "现行有效",
                         "effective": (today + dt.timedelta(days=1)).isoformat()}}
    result = standings(docs)
    assert result["today"].in_force and result["tomorrow"].effective_status == "尚未施行"


# -- repeals and overrides --------------------------------------------------------

def test_a_newer_city_notice_overrides_the_older_where_they_differ_and_both_bind(ordos):
    old, new = ordos["city_old"], ordos["city_new"]
    assert old.binding and new.binding
    assert old.partly_superseded_by == ["city_new"] and old.superseded_by == []
    assert old.effective_status == "现行有效"
    assert "与鄂电营销〔2022〕64号不一致之处以其为准" in old.notes
    assert new.repeals == ["city_old"]


def final_plan(**meta) -> dict:
    """The published plan that repeals the 2024 plan in full, referred to by its title in 《》."""
    return {"title": "内蒙古自治区深化提升“获得电力”服务水平行动方案", "doc_number": "内能电力字〔2026〕1号",
            "region": "内蒙古自治区", "status": "现行有效", "issued": "2026-01-01", "effective": "2026-01-01",
            "supersedes": [{"ref": f"《{PLAN_TITLE}》", "extent": "全部废止"}], **meta}


def test_a_repeal_in_full_ends_the_repealed_document_once_the_repealer_is_in_force():
    docs = with_docs(final=final_plan())
    after = standings(docs, "鄂尔多斯市", ON)
    plan = after["plan"]
    assert plan.effective_status == "已废止" and not plan.in_force and not plan.binding
    assert plan.superseded_by == ["final"] and after["final"].repeals == ["plan"]
    assert "已被内能电力字〔2026〕1号废止" in plan.notes
    before = standings(docs, "鄂尔多斯市", dt.date(2025, 12, 31))["plan"]
    assert before.binding and before.superseded_by == []
    assert "内能电力字〔2026〕1号自2026-01-01起施行，届时废止本文件" in before.notes


def test_a_repeal_is_not_undone_when_the_repealer_later_expires():
    docs = with_docs(final=final_plan(validity="6个月"))
    later = standings(docs, None, ON)
    assert later["final"].effective_status == "已失效"
    assert later["plan"].effective_status == "已废止" and later["plan"].superseded_by == ["final"]


def test_an_override_lapses_with_the_overriding_document():
    docs = with_docs(city_new={**DOCS["city_new"], "status": "已废止"})
    old = standings(docs, "鄂尔多斯市", ON)["city_old"]
    assert old.binding and old.partly_superseded_by == []


def test_a_reference_outside_the_corpus_changes_nothing():
    docs = with_docs(x={"title": "x", "region": "全国", "status": "现行有效",
                        "supersedes": [{"ref": "国发〔1999〕1号", "extent": "全部废止"}]})
    result = standings(docs, None, ON)
    assert result["x"].repeals == [] and all(not s.superseded_by for s in result.values())


# -- references -------------------------------------------------------------------

@pytest.mark.parametrize("ref", ["内能电力字〔2024〕857号", "内能电力字[2024]857号", " 内能电力字（2024）857号 ",
                                 PLAN_TITLE, f"《{PLAN_TITLE}》", PLAN_TITLE.replace("“", "\"").replace("”", "\"")])
def test_a_reference_resolves_by_doc_number_or_title(ref):
    assert resolve_reference(ref, DOCS) == "plan"


@pytest.mark.parametrize("ref", ["国发〔2024〕1号", "《不存在的文件》", ""])
def test_a_reference_to_a_document_not_in_the_corpus_is_none(ref):
    assert resolve_reference(ref, DOCS) is None


# -- order of authority -----------------------------------------------------------

def test_order_binding_by_specificity_then_elsewhere_drafts_not_yet_and_ended_last(ordos):
    assert [s.doc_id for s in ordered(ordos.values(), default_vocab())] == [
        "city_new", "city_old",  # 鄂尔多斯市, newer first
        "plan",  # 内蒙古自治区
        "law",  # 全国
        "other_city",  # in force, but in 巴彦淖尔市
        "draft",  # 征求意见稿
        "future",  # 尚未施行
        "expired",  # 已失效
    ]


def test_repealed_documents_come_last():
    order = [s.doc_id for s in ordered(standings(with_docs(final=final_plan()), "鄂尔多斯市", ON).values(),
                                               default_vocab())]
    assert order.index("final") < order.index("law")
    assert order[-2:] == ["plan", "expired"]  # repealed and expired together at the end, newer first


def test_the_order_does_not_depend_on_the_input_order(ordos):
    forward = [s.doc_id for s in ordered(ordos.values(), default_vocab())]
    assert [s.doc_id for s in ordered(reversed(list(ordos.values())), default_vocab())] == forward


def test_a_standing_is_plain_data():
    data = standings(DOCS, "鄂尔多斯市", ON)["city_old"].to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["partly_superseded_by"] == ["city_new"] and data["region"] == "鄂尔多斯市"


# -- the real corpus --------------------------------------------------------------

def test_the_real_corpus_in_ordos_on_2026_11_23():
    docs = load_corpus(Path(__file__).resolve().parents[1] / "corpus")
    documents = {d.id: {**d.meta, "title": d.title} for d in docs}
    result = standings(documents, "鄂尔多斯市", ON)
    order = [s.doc_id for s in ordered(result.values(), default_vocab())]
    binding = [doc_id for doc_id in order if result[doc_id].binding]

    assert not result["002"].binding and result["002"].effective_status == "征求意见稿"
    assert any("征求意见稿" in note for note in result["002"].notes)
    assert order.index("002") > max(order.index(doc_id) for doc_id in binding)
    national = ["005", "006", "007", "008", "009"]
    assert all(result[doc_id].binding for doc_id in ["000", "001", *national])
    assert max(order.index("000"), order.index("001")) < min(order.index(doc_id) for doc_id in national)
    assert result["003"].in_force and not result["003"].applies_here and not result["003"].binding


def test_asking_about_a_region_changes_only_where_each_document_applies():
    from kb.answer.standing import for_region, standings_anywhere

    docs = with_docs(other_repealer={
        "title": "巴彦淖尔市用电营商环境新方案", "doc_number": "巴政办字〔2025〕3号", "region": "巴彦淖尔市",
        "status": "现行有效", "issued": "2025-03-01", "effective": "2025-03-01",
        "supersedes": [{"ref": "巴政办字〔2024〕79号", "extent": "全部废止"}]})
    anywhere = standings_anywhere(docs, ON)
    before = {doc_id: s.to_dict() for doc_id, s in anywhere.standing.items()}
    ordos = for_region(anywhere, "鄂尔多斯")
    repealed = ordos["other_city"]
    # The region's note follows the document's own notes and comes before what other documents say of it.
    assert repealed.notes == ["适用于巴彦淖尔市，不适用于鄂尔多斯市", "已被巴政办字〔2025〕3号废止"]
    assert (repealed.applies_here, repealed.binding, repealed.effective_status) == (False, False, "已废止")
    assert ordos["law"] is anywhere.standing["law"]  # what applies is shared, not copied
    # Adapting to a region leaves the region-free standings as they were.
    assert {doc_id: s.to_dict() for doc_id, s in anywhere.standing.items()} == before
    assert anywhere.standing["other_city"].applies_here and anywhere.standing["other_city"].notes == [
        "已被巴政办字〔2025〕3号废止"]
