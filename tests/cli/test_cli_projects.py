"""`coord project add|update|progress|list|portfolio|show` with investment figures (today: 2024-10-08)."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.cli.test_cli_ledger import built_district, district

__all__ = ["built_district", "district"]  # the module's fixtures: one district built, copied per test


def invest(cli: Cli) -> None:
    """P-001: 12,000 万元 planned for 2024, started in March, 1,000 万元 a month since; P-002 not started."""
    result = cli("project", "update", "P-001", "--kind", "industry", "--total", "3.5亿", "--annual-plan", "12000",
                 "--planned-start", "2024-03-01", "--actual-start", "2024/3/20", "--in-stats", as_="wang.mishu")
    assert result.exit_code == 0, result.output
    for month in range(3, 10):
        recorded = cli("project", "progress", "P-001", "--month", f"2024-{month:02d}", "--amount", "1000",
                       as_="li.zhuanyuan")
        assert recorded.exit_code == 0, recorded.output
    added = cli("project", "add", "P-002", "新华镇污水处理厂提标改造", "--level", "district", "--leader",
                "chen.fuquzhang", "--locality", "DQY", "--lead-unit", "FGJ", "--kind", "livelihood", "--total", "8000",
                "--annual-plan", "3,000", "--planned-start", "2024年5月", as_="wang.mishu")
    assert added.exit_code == 0, added.output


def test_project_add_takes_the_investment_facts(district: Cli) -> None:
    data = district.json("project", "add", "P-003", "华芯智能装备制造基地", "--level", "municipal", "--leader",
                         "chen.fuquzhang", "--locality", "DQY", "--lead-unit", "FGJ", "--kind", "industry",
                         "--total", "5.2亿", "--annual-plan", "15000", "--plan-year", "2024",
                         "--planned-start", "2024-11-01", "--not-in-stats", as_="wang.mishu")
    assert data["kind"] == "industry" and data["total_investment_wan"] == "52000"
    assert data["planned_start"] == "2024-11-01" and data["in_stats"] is False
    shown = district.json("project", "show", "P-003")
    assert shown["figures"]["annual_plan_wan"] == "15000" and shown["figures"]["start"] == "pending"


def test_a_specialist_records_a_month_and_sees_the_correction(district: Cli) -> None:
    first = district.json("project", "progress", "P-001", "--month", "2024-09", "--amount", "1,200.5",
                          as_="li.zhuanyuan")
    assert first == {"project": "P-001", "month": "2024-09", "completed_wan": "1200.5", "previous_wan": None,
                     "note": None, "changed": True}
    again = district("project", "progress", "P-001", "--month", "2024-09", "--amount", "0.13亿", "--note",
                     "主体结构封顶", as_="li.zhuanyuan")
    assert again.exit_code == 0 and "1300 万元（原为 1200.5 万元）" in again.stdout
    months = district.json("project", "progress", "P-001", "--month", "2024-09")
    assert months["months"] == [{"month": "2024-09", "completed_wan": "1300"}]


def test_progress_by_someone_off_the_roster_is_not_permitted_and_writes_nothing(district: Cli) -> None:
    before = district.snapshot()
    result = district("project", "progress", "P-001", "--month", "2024-09", "--amount", "100", as_="zhao.jingban")
    assert result.exit_code == 4 and "不能填报投资进度" in result.stderr
    assert district.snapshot() == before


def test_bad_amounts_months_and_dates_are_invalid_input(district: Cli) -> None:
    amount = district("project", "progress", "P-001", "--month", "2024-09", "--amount", "一千", as_="li.zhuanyuan")
    assert amount.exit_code == 2 and "无法识别的金额" in amount.stderr
    month = district("project", "progress", "P-001", "--month", "九月", "--amount", "100", as_="li.zhuanyuan")
    assert month.exit_code == 2 and "无法识别的月份" in month.stderr
    future = district("project", "progress", "P-001", "--month", "2024-11", "--amount", "100", as_="li.zhuanyuan")
    assert future.exit_code == 2 and "尚未到来" in future.stderr
    no_month = district("project", "progress", "P-001", "--amount", "100", as_="li.zhuanyuan")
    assert no_month.exit_code == 2 and "--month" in no_month.stderr
    day = district("project", "update", "P-001", "--actual-start", "2024-02-30", as_="wang.mishu")
    assert day.exit_code == 2 and "--actual-start" in day.stderr


def test_project_list_shows_completion_time_target_gap_and_light(district: Cli) -> None:
    invest(district)
    rows = {r["code"]: r["figures"] for r in district.json("project", "list")}
    # September: 7,000 of 12,000 done = 58.3 % against 75 % of the year gone: 16.7 points behind, yellow.
    assert rows["P-001"] == {"as_of": "2024-09", "annual_plan_wan": "12000", "done_month_wan": "1000",
                             "done_ytd_wan": "7000", "done_total_wan": "7000", "completion_rate": "58.3",
                             "target": "75.0", "gap": "16.7", "light": "yellow", "start": "started"}
    assert rows["P-002"]["light"] == "red" and rows["P-002"]["start"] == "late"
    text = district("project", "list")
    assert text.exit_code == 0
    for shown in ("完成率", "序时进度", "58.3", "黄灯", "红灯", "逾期未开工", "开工率", "全部项目"):
        assert shown in text.stdout
    # English headers are longer: at 160 columns the portfolio's fifteen may wrap onto two lines, so the
    # labels are read where every header has room for one line.
    wide = Cli(district.runner, {**district.env, "COLUMNS": "220"}, district.url)
    english = wide("project", "list", "--lang", "en")
    assert "Time target" in english.stdout and "yellow" in english.stdout
    red = district.json("project", "list", "--light", "red")
    assert [r["code"] for r in red] == ["P-002"]
    june = {r["code"]: r["figures"] for r in district.json("project", "list", "--month", "2024-06")}
    assert june["P-001"]["completion_rate"] == "33.3" and june["P-001"]["gap"] == "16.7"


def test_portfolio_by_level_gives_start_and_completion_rates(district: Cli) -> None:
    invest(district)
    data = district.json("project", "portfolio", "--by", "level")
    assert data["as_of"] == "2024-09" and data["grouping"] == "level"
    groups = {g["key"]: g for g in data["groups"]}
    assert (groups["provincial"]["started"], groups["provincial"]["planned_to_start"]) == (1, 1)
    assert groups["district"]["start_rate"] == "0.0" and groups["district"]["total_investment_wan"] == "8000"
    everything = district.json("project", "portfolio", "--by", "all")["groups"][0]
    assert everything["start_rate"] == "50.0" and everything["completion_rate"] == "46.7"  # 7,000 of 15,000
    text = district("project", "portfolio", "--by", "kind")
    assert "按类别" in text.stdout and "产业" in text.stdout and "社会民生" in text.stdout


def test_project_show_has_the_figures_and_the_months(district: Cli) -> None:
    invest(district)
    text = district("project", "show", "P-001")
    assert text.exit_code == 0
    for shown in ("投资完成情况", "35000", "2024-03-20", "7000", "月度完成投资", "2024-09"):
        assert shown in text.stdout
