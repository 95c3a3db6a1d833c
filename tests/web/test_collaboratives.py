"""The collaboratives pages in headless Chromium against the real server and store: the synthetic demo
dashboard renders, and a team user enters this month's values, logs a PDSA cycle and writes the monthly report
with the keyboard only; the team's chart shows the cycle. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from learnsys.collaboratives.model import CollaborativeSpec, MeasureSpec, TeamSpec
from learnsys.oversight.spc import month_range
from learnsys.store import accounts
from learnsys.store.accounts import Account
from tests.web.test_page import ARGS, CHROMIUM, TIMEOUT_MS, shot

CID, TEAM = "web-collab", "web-team"
GUIDE = "guide-ed-streaming-initial-assessment"
MEASURES = [
    MeasureSpec(id="ae_4h", name="A&E within four hours", type="outcome", unit="%", direction="higher",
                definition="Attendances within four hours of arrival", target=78.0),
    MeasureSpec(id="triage_min", name="Arrival to assessment", type="process", unit="minutes", direction="lower",
                definition="Median minutes from arrival to initial assessment"),
]


def _last_months(n: int) -> list[str]:
    today = date.today()
    last = f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"
    year, month = map(int, last.split("-"))
    first = (year * 12 + month - 1) - (n - 1)
    return month_range(f"{first // 12}-{first % 12 + 1:02d}", last)


@pytest.fixture(scope="module")
def seeded(services: Any) -> dict[str, str]:
    """The synthetic demo (through the same loader as `learnsys demo collaborative`) and one real team with
    twelve months of values entered by CSV."""
    from learnsys.collaboratives.cli import load_demo

    service = services.collaboratives
    admin = Account(id=0, email="web-admin@nhs.test", role="admin")
    load_demo(services, service, admin, replace=True)
    _, regional = accounts.create_user(services.store, "web-regional@nhs.test", "regional", region="Y62")
    _, team = accounts.create_user(services.store, "web-team@nhs.test", "team", provider="RBT")
    regional_account = accounts.authenticate(services.store, regional)
    team_account = accounts.authenticate(services.store, team)
    service.create(regional_account, CollaborativeSpec(id=CID, title="Web test collaborative", priority_area="uec",
                                                       region="Y62", start=date(2024, 1, 1), measures=MEASURES))
    service.enrol(regional_account, CID, TeamSpec(id=TEAM, provider="RBT", name="Front door team"))
    months = _last_months(12)
    rows = [f"{m},{70 + (k % 3) * 0.8 + (6 if k >= 6 else 0):.1f},{24 - (k % 2)}" for k, m in enumerate(months)]
    service.import_csv(team_account, TEAM, "month,ae_4h,triage_min\n" + "\n".join(rows) + "\n")
    return {"team": team}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any, seeded: dict[str, str], request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.goto(f"{live_server.url}/collaboratives")
    page.wait_for_selector("body[data-ready=true]")
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot(page, f"failed-{request.node.name}", full_page=True)
    context.close()


def tab_to(page: Any, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element with ``element_id`` has the focus (keyboard only)."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def test_demo_dashboard_renders(page: Any) -> None:
    page.goto(page.url.split("#")[0] + "#/c/demo-uec-wave-1")
    page.wait_for_selector("#dashboard table tbody tr")
    assert "SYNTHETIC" in page.text_content("#dashboard .synthetic-banner")
    assert "SYNTHETIC" in page.text_content("#dashboard-title")
    text = page.text_content("#dashboard")
    assert "30 teams" in text
    assert page.locator("#dashboard [data-variation]").count() >= 30
    shot(page, "collab-dashboard", full_page=True)
    assert not page.problems, page.problems


def test_team_enters_month_cycle_and_report_by_keyboard(page: Any, seeded: dict[str, str], services: Any) -> None:
    tab_to(page, "token")
    page.keyboard.type(seeded["team"])
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('signin-status').textContent.includes('Signed in')")
    page.goto(page.url.split("#")[0] + f"#/team/{TEAM}")
    page.wait_for_selector("#team-charts figure svg")
    this_month = date.today().strftime("%Y-%m")
    assert page.input_value("#v-month") == this_month  # the month after the last one entered
    assert "null" not in page.text_content("#team-head")

    tab_to(page, "v-ae_4h")
    page.keyboard.type("77.5")
    page.keyboard.press("Tab")
    page.keyboard.type("21")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('values-status').textContent.startsWith('Saved 2 values')")

    tab_to(page, "c-idea")
    page.keyboard.type("Clinician streaming at the front door")
    page.keyboard.press("Tab")
    page.keyboard.type(GUIDE)  # the corpus guide the idea came from
    tab_to(page, "c-start")
    page.keyboard.type(date.today().replace(day=1).isoformat())
    page.keyboard.press("Tab")  # the decision: Adopt
    page.keyboard.press("ArrowDown")
    tab_to(page, "c-plan")
    page.keyboard.type("Stream walk-in patients within 15 minutes; predict four-hour performance rises")
    page.keyboard.press("Tab")
    page.keyboard.type("Worked on weekdays; needs a named lead at weekends")
    page.keyboard.press("Tab")  # the first measure's checkbox
    page.keyboard.press("Space")
    for _ in range(len(MEASURES)):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the Log cycle button
    page.wait_for_function("() => document.getElementById('cycle-status').textContent.includes('PDSA cycle 1 logged')")

    tab_to(page, "r-narrative")
    page.keyboard.type("Streaming embedded on weekdays.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Submit report
    page.wait_for_function("() => /Report for .* submitted/.test(document.getElementById('report-status').textContent)")

    # what the pages wrote is in the store
    account = accounts.authenticate(services.store, seeded["team"])
    team = services.collaboratives.team(account, TEAM)[0]
    assert [(c["change_idea"], c["decision"], c["measures"]) for c in team["cycles"]] == [
        ("Clinician streaming at the front door", "adopt", ["ae_4h"])]
    values = {(v["measure_id"], v["month"]): v["value"]
              for v in services.collaboratives.values(account, TEAM)[0]["values"]}
    assert values[("ae_4h", this_month)] == 77.5 and values[("triage_min", this_month)] == 21.0
    assert team["reports"][-1]["narrative"] == "Streaming embedded on weekdays."

    # the chart marks the cycle
    page.wait_for_function("() => document.querySelector('#team-charts figure[data-measure=ae_4h] figcaption')"
                           ".textContent.includes('PDSA cycles marked: 1')")
    assert "PDSA 1" in page.inner_html("#team-charts figure[data-measure=ae_4h]")
    page.locator("#team-charts figure[data-measure=ae_4h]").screenshot(
        path=str(shot(page, "collab-team-page").parent / "collab-team-chart.png"))
    # the guide's page shows what collaborative teams did with its change idea
    page.goto(page.url.split("/collaboratives")[0] + f"/#/doc/{GUIDE}")
    page.wait_for_selector("[data-field=collaborative_learning]")
    panel = page.text_content("[data-field=collaborative_learning]")
    assert "Tested in improvement collaboratives" in panel and "Tested by" in panel
    assert int(page.text_content("[data-count=tested]")) >= 1 and int(page.text_content("[data-count=adopted]")) >= 1
    shot(page, "collab-document-learning")
    # the page reads a record before writing it (for its ETag); a new month's value or report is a 404 there
    assert [p for p in page.problems if "status of 404" not in p] == [], page.problems
    assert len(page.problems) == 3  # two values and one report were new
