"""In a real browser: upload seed 000 as .docx, edit a unit on the review page, publish, find the tasks in the
supervision ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import TEST_PASSWORD
from luoshi.plans.tests.conftest import seed_path

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _docx_from_seed(path: Path, out: Path) -> Path:
    import docx

    document = docx.Document()
    for line in path.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    document.save(str(out))
    return out


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_upload_docx_edit_unit_publish_and_find_tasks(login: Any, live_server: Any, tmp_path: Path) -> None:
    from luoshi.accounts.models import Role
    from luoshi.accounts.services import user_create
    from luoshi.directory.services import load_shipped_directories
    from luoshi.orgs.models import Region
    from luoshi.plans.models import Plan, PlanStatus
    from luoshi.supervision.models import Task

    load_shipped_directories()
    jingmen = Region.objects.get(code="420800")
    admin = user_create(username="jm_admin", password=TEST_PASSWORD, role=Role.ADMIN, region=jingmen)
    source = _docx_from_seed(seed_path("000"), tmp_path / "荆门市营商环境行动方案.docx")

    page = login(admin)
    page.goto(f"{live_server.url}/plans/upload/")
    page.set_input_files("#id_file", str(source))
    # the first parse in a process also trains the unit-suggestion model: allow it time
    with page.expect_navigation(url=f"{live_server.url}/plans/*/", timeout=120_000):
        page.click("main form.stack button[type=submit]")
    plan = Plan.objects.get()
    assert plan.status == PlanStatus.DRAFT and plan.measures.count() >= 60

    # the source on the left, each measure highlighted; clicking a measure marks its passage
    first = plan.measures.get(seq=1)
    assert page.locator(".source-text mark").count() >= 60
    page.click(f"#m-{first.pk} .text")
    page.wait_for_selector(f"#src-{first.pk}.active")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plans-review.png"))

    # edit a unit inline: measure 1 is led by 市发改委 alone, with 市财政局 sharing it
    page.click(f"#m-{first.pk} button.edit")
    page.fill(f"#m{first.pk}-lead_units_text", "市发改委")
    page.fill(f"#m{first.pk}-co_units_text", "市财政局")
    page.click(f"#m-{first.pk} button.save")
    page.wait_for_selector(f"#m-{first.pk}:not(.editing)")
    row = page.locator(f"#m-{first.pk}")
    assert "市财政局" in row.inner_text() and "已识别" in row.inner_text()
    first.refresh_from_db()
    assert first.lead_units_text == ["市发改委"] and first.co_units_text == ["市财政局"]
    # the date input shows the stored deadline, so saving the form keeps it (it used to clear it)
    assert first.deadline is not None

    # settle what the directory does not know, through the page, until publishing is allowed
    for _ in range(80):
        confirm = page.locator("form.confirm-unit button")
        if confirm.count():
            confirm.first.click()
            page.wait_for_load_state()
            continue
        ambiguous = page.locator(".unit-link.status-ambiguous form.assign button")
        if ambiguous.count():
            ambiguous.first.click()
            page.wait_for_timeout(300)
            page.reload()
            continue
        break
    # measures without a written deadline must be dated (or confirmed 长期坚持) before publishing
    if page.locator("#apply-period-default").count():
        with page.expect_navigation():
            page.click("#apply-period-default")
    if page.locator("#confirm-unassigned").count():
        page.check("#confirm-unassigned")
    publish = page.locator("#publish")
    assert publish.is_enabled()
    with page.expect_navigation(timeout=60_000):
        publish.click()
    page.wait_for_selector("text=已发布")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    assert Task.objects.filter(plan=plan).count() == plan.measures.count()

    # the tasks are in the supervision ledger
    page.goto(f"{live_server.url}/supervision/")
    ledger = page.content()
    task = Task.objects.filter(plan=plan).order_by("seq").first()
    assert task is not None and task.title[:20] in ledger


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_review_page_says_why_each_reading_was_made(login: Any, live_server: Any, tmp_path: Path) -> None:
    from luoshi.accounts.models import Role
    from luoshi.accounts.services import user_create
    from luoshi.directory.services import load_shipped_directories
    from luoshi.orgs.models import Region
    from luoshi.plans.models import Plan
    from luoshi.plans.tests.conftest import SMALL_PLAN

    load_shipped_directories()
    jingmen = Region.objects.get(code="420800")
    admin = user_create(username="jm_admin2", password=TEST_PASSWORD, role=Role.ADMIN, region=jingmen)
    source = tmp_path / "测试方案.txt"
    source.write_text(SMALL_PLAN, encoding="utf-8")
    page = login(admin)
    page.goto(f"{live_server.url}/plans/upload/")
    page.set_input_files("#id_file", str(source))
    with page.expect_navigation(url=f"{live_server.url}/plans/*/", timeout=120_000):
        page.click("main form.stack button[type=submit]")
    plan = Plan.objects.get()
    articles = page.locator("article.measure")
    assert articles.count() == plan.measures.count()
    # the measure with a unit the directory does not know comes first, flagged 请核对
    assert "请核对" in articles.first.inner_text()
    why = articles.first.locator("details.why")
    why.locator("summary").click()
    text = why.inner_text()
    assert "牵头单位" in text and "←" in text and "完成时限" in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plans-review-why.png"), full_page=True)
