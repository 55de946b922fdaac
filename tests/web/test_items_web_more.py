"""Fund applications, disbursements, indicators and upward reports on the pages and the API (web/items_*.py),
against a real `coord web`.

One server for the module; each test adds the items it looks at (through the district's services), so
that the others' items never change its answer. Every action goes through HTTP, and what was written is
read back from the database itself.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from coordination.domain.fund_workflow import FundAction, FundState
from coordination.domain.labels import label
from tests.web.conftest import Http, WebDistrict
from tests.web.test_items_web import act_api, error_code, item_forms
from tests.web.test_pages import forms_of, parsed, text_of

LAST_MONTH = "2024-05"  # the district's clock stands at 2024-06-03


def district(web: WebDistrict) -> Any:
    return web.district


def code() -> str:
    return "W" + uuid.uuid4().hex[:8].upper()


@pytest.fixture(scope="module")
def people(web: WebDistrict) -> dict[str, httpx.Client]:
    """One signed-in browser per person these tests use (argon2 is slow: sign in once per module)."""
    d = district(web)
    clients = {}
    for handle in (d.secretariat, d.handler, d.unit_head, d.other_handler):
        client, response = web.sign_in(handle)
        assert response.status_code == 303, response.text
        clients[handle] = client
    return clients


def post_form(client: httpx.Client, slug: str, item_id: str, action: str, **typed: str) -> httpx.Response:
    """Post an action's form as the item's page renders it, with what the person typed on top."""
    form = item_forms(client, slug, item_id)[action]
    return client.post(form.action, data={**form.hidden, **typed})


def fact_of(response: httpx.Response, name: str) -> str:
    """What the item's page says beside the label `name`."""
    found = parsed(response).xpath(f"//dt[normalize-space()='{name}']/following-sibling::dd[1]")
    assert found, name
    return " ".join(found[0].text_content().split())


def last_event(d: Any, stream: str, key: str) -> dict[str, Any]:
    return dict(d.stream_events(stream, key)[-1])


# ---- fund applications (资金争取) ------------------------------------------------------------------


def test_a_fund_application_moves_through_the_page_and_is_granted_through_the_api(
        web: WebDistrict, http: Http, people: dict[str, httpx.Client]) -> None:
    d = district(web)
    fid = d.add_fund(code(), "页面：东区污水处理厂扩建中央预算内投资")
    client = people[d.handler]
    shown = text_of(client.get(f"/items/funds/{fid}"))
    for words in ("谋划储备", "申报单位", "区自然资源和规划局", "中央", "预算内投资", "处理经过"):
        assert words in shown, words
    forms = item_forms(client, "funds", fid)
    assert sorted(forms) == ["prepare", "withdraw"]
    assert forms["prepare"].buttons == [label(FundAction.PREPARE)] and {"on", "reason"} <= forms["prepare"].fields
    done = post_form(client, "funds", fid, "prepare", on="2024-06-03", reason="可研已批复")
    assert done.status_code == 303 and done.headers["location"] == f"/items/funds/{fid}?done=prepare"
    row = d.fund_row(fid)
    assert row["state"] == FundState.PREPARING.value and str(row["prepared_on"]) == "2024-06-03"
    event = last_event(d, "fund", fid)
    assert (event["action"], event["actor"], event["origin"], event["reason"]) == (
        "prepare", d.handler, "web", "可研已批复")

    d.fund_act(d.handler, fid, FundAction.APPLY)
    body = http(d.secretariat).get(f"/api/items/funds/{fid}").json()
    assert {"grant", "refuse"} <= set(body["actions"]) and body["version"] == 3
    before = d.audit_count()
    assert act_api(http, d.secretariat, "funds", fid, "grant", 3, {"amount": "三千万"}).status_code == 400
    stray = act_api(http, d.secretariat, "funds", fid, "grant", 3, {"amount": "3000万", "result": "良好"})
    assert stray.status_code == 400 and "result" in stray.json()["error"]["message"]
    assert act_api(http, d.secretariat, "funds", fid, "grant", 3, {"document": "x"}).status_code == 400  # no amount
    assert d.audit_count() == before
    granted = act_api(http, d.secretariat, "funds", fid, "grant", 3,
                      {"amount": "3000万", "document": "发改投资〔2024〕88号"})
    assert granted.status_code == 200, granted.text
    assert granted.json()["granted_yuan"] == 30_000_000 and granted.headers["etag"] == '"4"'
    assert d.fund_row(fid)["granted_yuan"] == 30_000_000
    page = people[d.secretariat].get(f"/items/funds/{fid}")
    assert fact_of(page, "下达金额（万元）") == "3000" and fact_of(page, "下达文件") == "发改投资〔2024〕88号"
    assert sorted(item_forms(people[d.secretariat], "funds", fid)) == ["evaluate"]
    assert "result" in item_forms(people[d.secretariat], "funds", fid)["evaluate"].fields


def test_a_whole_yuan_amount_is_taken_as_a_json_integer(web: WebDistrict, http: Http) -> None:
    d = district(web)
    fid = d.add_fund(code(), "接口：产业园配套道路专项债券", fund_type="bond")
    d.fund_act(d.handler, fid, FundAction.PREPARE)
    d.fund_act(d.handler, fid, FundAction.APPLY)
    granted = act_api(http, d.secretariat, "funds", fid, "grant", 3, {"amount": 12_345_678})
    assert granted.status_code == 200, granted.text
    assert d.fund_row(fid)["granted_yuan"] == 12_345_678


# ---- disbursements (引导资金发放) and upward reports (对上汇报): ledgers revoked with a reason ----------------


def test_the_secretariat_revokes_a_disbursement_through_the_page_and_the_api(
        web: WebDistrict, http: Http, people: dict[str, httpx.Client]) -> None:
    d = district(web)
    on_page = d.add_disbursement(enterprise="页面：东区新材料有限公司", amount_yuan=1_500_000)
    by_api = d.add_disbursement(enterprise="接口：东区智能装备有限公司", amount_yuan=2_000_000)
    handler_page = people[d.handler].get(f"/items/disbursements/{on_page}")
    assert fact_of(handler_page, "发放金额（万元）") == "150"
    assert item_forms(people[d.handler], "disbursements", on_page) == {}  # striking a payment is not theirs
    client = people[d.secretariat]
    assert sorted(item_forms(client, "disbursements", on_page)) == ["revoke"]
    before = d.audit_count()
    empty = post_form(client, "disbursements", on_page, "revoke")
    assert empty.status_code == 400 and d.audit_count() == before
    done = post_form(client, "disbursements", on_page, "revoke", reason="误登记，重复录入")
    assert done.status_code == 303
    assert d.disbursement_row(on_page)["state"] == "revoked"
    assert last_event(d, "disbursement", on_page)["reason"] == "误登记，重复录入"
    assert "已撤销" in text_of(client.get(done.headers["location"]))

    revoked = act_api(http, d.secretariat, "disbursements", by_api, "revoke", 1, {"reason": "金额录错"})
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked", revoked.text
    assert last_event(d, "disbursement", by_api)["origin"] == "web"

    def ids(**params: str) -> set[str]:
        return {row["id"] for row in http(d.secretariat).get("/api/items/disbursements", params=params).json()["items"]}
    assert {on_page, by_api} <= ids(state="revoked") and not {on_page, by_api} & ids(open="true")


def test_an_upward_report_is_revoked_by_the_unit_head_on_the_page_and_the_secretariat_by_api(
        web: WebDistrict, http: Http, people: dict[str, httpx.Client]) -> None:
    d = district(web)
    on_page = d.add_upward_report(topic="页面：东区电池材料产业园项目推进情况")
    by_api = d.add_upward_report(topic="接口：重点项目用地保障情况", to_office="省发改委")
    assert item_forms(people[d.handler], "upward-reports", on_page) == {}  # a handler never strikes a report
    done = post_form(people[d.unit_head], "upward-reports", on_page, "revoke", reason="误登记：实为书面报送")
    assert done.status_code == 303
    assert d.upward_report_row(on_page)["state"] == "revoked"
    assert last_event(d, "upward_report", on_page)["actor"] == d.unit_head
    revoked = act_api(http, d.secretariat, "upward-reports", by_api, "revoke", 1, {"reason": "重复登记"})
    assert revoked.status_code == 200 and d.upward_report_row(by_api)["state"] == "revoked"
    assert act_api(http, d.secretariat, "upward-reports", by_api, "revoke", 2, {"reason": "再撤"}).status_code == 409


# ---- indicators (指标监测) ---------------------------------------------------------------------------


def test_an_indicator_takes_a_figure_on_the_page_and_shows_its_months(
        web: WebDistrict, http: Http, people: dict[str, httpx.Client]) -> None:
    d = district(web)
    ic = d.add_indicator(code(), "页面：固定资产投资累计增速", target="8.5")
    d.indicator_record(d.handler, ic, "2024-04", "7")
    client = people[d.handler]
    forms = item_forms(client, "indicators", ic)
    assert sorted(forms) == ["record"] and forms["record"].fields == {"month", "value"}
    done = post_form(client, "indicators", ic, "record", month=LAST_MONTH, value="7.9")
    assert done.status_code == 303, text_of(done)
    assert d.indicator_values(ic) == {"2024-04": "7", LAST_MONTH: "7.9"}
    page = parsed(client.get(done.headers["location"]))
    rows = [[" ".join(cell.text_content().split()) for cell in tr.xpath("./td")]
            for tr in page.xpath("//section[contains(@class, 'item-table-months')]//tbody/tr")]
    assert rows == [["2024-04", "7%", "—", "红灯"], [LAST_MONTH, "7.9%", "0.9", "黄灯"]]
    assert "数值：7.9%" in " ".join(page.text_content().split())

    figure = act_api(http, d.handler, "indicators", ic, "record", 3, {"month": "2024-03", "value": 6.5})
    assert figure.status_code == 200, figure.text
    assert d.indicator_values(ic)["2024-03"] == "6.5"
    assert act_api(http, d.handler, "indicators", ic, "retarget", 4, {"target": "8", "reason": "x"}
                   ).status_code == 403
    retargeted = act_api(http, d.secretariat, "indicators", ic, "retarget", 4,
                         {"target": "8", "reason": "市统计局调整口径"})
    assert retargeted.status_code == 200 and d.indicator_row(ic)["target"] == "8", retargeted.text
    # The secretariat's form starts from the target as it stands.
    shown = parsed(people[d.secretariat].get(f"/items/indicators/{ic}"))
    assert shown.xpath("//form[contains(@action, '/actions/retarget')]//input[@name='target']/@value") == ["8"]


# ---- who sees what, lists, the index, 我的待办 -------------------------------------------------------


def test_another_units_handler_gets_404_for_each_new_kind(web: WebDistrict, http: Http,
                                                          people: dict[str, httpx.Client]) -> None:
    d = district(web)
    items = (("funds", d.add_fund(code(), "可见性：园区供热管网专项资金"), "prepare", None),
             ("disbursements", d.add_disbursement(enterprise="可见性：东区精密制造有限公司"), "revoke",
              {"reason": "x"}),
             ("indicators", d.add_indicator(code(), "可见性：规上服务业营收增速"), "record",
              {"month": LAST_MONTH, "value": "5"}),
             ("upward-reports", d.add_upward_report(topic="可见性：项目推进情况"), "revoke", {"reason": "x"}))
    before = d.audit_count()
    outsider, browser = d.other_handler, people[d.other_handler]
    token = forms_of(browser.get("/"))["/logout"].hidden["csrf_token"]
    for slug, item_id, action, body in items:
        assert http(outsider).get(f"/api/items/{slug}/{item_id}").status_code == 404
        refused = act_api(http, outsider, slug, item_id, action, 1, body)
        assert refused.status_code == 404 and error_code(refused) == "not_found", refused.text
        listed = http(outsider).get(f"/api/items/{slug}").json()["items"]
        assert item_id not in {str(row.get("id") or row.get("code")) for row in listed}
        assert browser.get(f"/items/{slug}/{item_id}").status_code == 404
        posted = browser.post(f"/items/{slug}/{item_id}/actions/{action}",
                              data={"csrf_token": token, "version": "1", **(body or {})})
        assert posted.status_code == 404
        assert f"/items/{slug}/{item_id}" not in browser.get(f"/items/{slug}").text
        assert http(d.secretariat).get(f"/api/items/{slug}/{item_id}").status_code == 200
    assert d.audit_count() == before


def test_the_lists_and_the_index_speak_chinese(web: WebDistrict, http: Http,
                                               people: dict[str, httpx.Client]) -> None:
    d = district(web)
    d.add_fund(code(), "清单：东区污水处理厂二期")
    d.add_disbursement(enterprise="清单：东区新能源有限公司")
    d.add_indicator(code(), "清单：工业用电量增速")
    d.add_upward_report(topic="清单：季度投资运行情况")
    client = people[d.secretariat]
    words = {"funds": ("资金争取", "谋划储备", "申报单位", "资金来源"),
             "disbursements": ("引导资金发放", "已登记", "发放单位", "发放金额（万元）"),
             "indicators": ("指标监测", "监测中", "填报单位", "亮灯"),
             "upward-reports": ("对上汇报", "已登记", "汇报单位", "汇报对象")}
    index = parsed(client.get("/items"))
    for slug, expected in words.items():
        page = client.get(f"/items/{slug}")
        assert page.status_code == 200
        shown = text_of(page)
        for word in expected:
            assert word in shown, (slug, word)
        total = http(d.secretariat).get(f"/api/items/{slug}", params={"open": "true"}).json()["total"]
        card = " ".join(index.xpath(f"//section[contains(@class, 'kind-{slug}')]")[0].text_content().split())
        assert total >= 1 and f"{expected[1] if slug != 'funds' else '在办'} {total} 项" in card, card
    english = text_of(client.get("/items/funds", params={"lang": "en"}))
    assert "Fund applications" in english and "Applying unit" in english
    client.get("/items", params={"lang": "zh"})


def test_my_work_lists_what_waits_for_my_unit_and_never_a_ledger(web: WebDistrict,
                                                                people: dict[str, httpx.Client]) -> None:
    d = district(web)
    fid = d.add_fund(code(), "待办：储备库中的中央预算内投资")
    ic = d.add_indicator(code(), "待办：尚未填报上月数据的指标")
    d.add_disbursement(enterprise="待办：东区新材料有限公司")
    mine = parsed(people[d.handler].get("/"))
    assert f"/items/funds/{fid}" in set(mine.xpath("//section[@id='items-funds']//a/@href"))
    assert f"/items/indicators/{ic}" in set(mine.xpath("//section[@id='items-indicators']//a/@href"))
    assert not mine.xpath("//section[@id='items-disbursements' or @id='items-upward-reports']")
    theirs = people[d.other_handler].get("/").text
    assert f"/items/funds/{fid}" not in theirs and f"/items/indicators/{ic}" not in theirs
    d.indicator_record(d.handler, ic, LAST_MONTH, "9")  # last month's figure is in: nothing waits
    assert f"/items/indicators/{ic}" not in people[d.handler].get("/").text


def test_the_api_documents_the_new_fields(web: WebDistrict, http: Http) -> None:
    schemas = http(None).get("/api/openapi.json").json()["components"]["schemas"]
    fields = schemas["ItemActionBody"]["properties"]
    assert {"amount", "result", "month", "value", "target", "tolerance"} <= set(fields)
    assert "3000万" in fields["amount"]["description"]
