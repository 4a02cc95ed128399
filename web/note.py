"""The call record (工单) note for an answer, and the one line an agent can say as it is.

Built from the answer's JSON fields (facts, applicable, deadlines, citations, understood) and the index's
build date: kb answers with figures and ids, the site adds the permalink (an absolute URL).
"""

from __future__ import annotations

import datetime as dt

SAY_VERB = "答复"  # an item named for its answer (供电方案答复) is said as "供电方案最晚于…前答复"


def _leading(answer: dict) -> tuple[dict | None, dict | None]:
    """The fact the answer leads with, preferring one whose document binds, and that document's standing."""
    facts, applicable = answer.get("facts") or [], answer.get("applicable") or []
    standing = {a["doc_id"]: a for a in applicable}
    for fact in facts:
        if standing.get(fact["doc_id"], {}).get("binding"):
            return fact, standing[fact["doc_id"]]
    fact = facts[0] if facts else None
    return fact, standing.get(fact["doc_id"]) if fact else None


def _month_day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.month}月{day.day}日"


def _document(standing: dict | None, citation: dict) -> str:
    if standing and standing.get("doc_number"):
        return f"《{standing['title']}》（{standing['doc_number']}）"
    return f"《{(standing or citation)['title']}》"


def call_note(answer: dict, base_url: str, built_at: str) -> dict:
    """{"note": the multi-line 工单 note, "say": the line to say, "due": the due date or ""} for a found
    answer; an empty dict when there is nothing to record."""
    if not answer.get("found") or not answer.get("citations"):
        return {}
    fact, standing = _leading(answer)
    citation = next((c for c in answer["citations"] if fact and c["doc_id"] == fact["doc_id"]
                     and c["clause_id"] == fact["clause_id"]), answer["citations"][0])
    understood = answer.get("understood") or {}
    region = understood.get("region") or (fact or citation)["region"]
    subject = (fact or {}).get("subject") or "、".join(understood.get("subjects") or [])
    deadline = next((d for d in answer.get("deadlines") or []
                     if fact and d["doc_id"] == fact["doc_id"] and d.get("due")), None)
    status = (standing or {}).get("effective_status") or citation["status"]
    figure = (fact or {}).get("figure") or answer.get("figure", "")
    item = (fact or {}).get("item", "")
    lines = ["【工单备注】"]
    if subject:
        lines.append(f"客户类型：{subject}")
    lines.append(f"地区：{region}")
    if figure:
        lines.append(f"规定：{item + ' ' if item else ''}{figure}（{status}，适用于{(fact or citation)['region']}）")
    if deadline:
        lines.append(f"受理日期：{deadline['start']}；最迟：{deadline['due']}")
    lines.append(f"依据：{_document(standing, citation)}{citation['label']} {base_url.rstrip('/')}{citation['url']}")
    lines.append(f"知识库索引日期：{built_at[:10]}")
    binds = bool(standing and standing.get("binding"))
    rule = f"按{region}现行规定" if binds else f"按{_document(standing, citation)}（{status}）"
    if deadline and item:
        said = (f"{item.removesuffix(SAY_VERB)}最晚于{_month_day(deadline['due'])}前{SAY_VERB}"
                if item.endswith(SAY_VERB) and item != SAY_VERB else f"{item}最晚于{_month_day(deadline['due'])}前完成")
        say = f"{rule}，{said}。"
    elif item and figure:
        say = f"{rule}，{item}为{figure}。"
    else:
        say = f"{rule}，{answer['answer'].split('。')[0]}。"
    return {"note": "\n".join(lines), "say": say, "due": deadline["due"] if deadline else ""}
