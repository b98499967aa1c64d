"""The console in a real browser: Debian's headless Chromium driven by Playwright (no download).

The app runs in a thread on werkzeug's server, on the same database and state as the test.
"""
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.admin_support import (
    CITY,
    DISTRICT_A,
    DISTRICT_B,
    PASSWORD,
    STREET_A,
    STREET_B,
    add_staff,
    add_volunteer,
)


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/admin/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_login_in_the_browser_shows_the_dashboard_and_its_chart(app, page):
    add_staff("city", "city_admin", CITY)
    log_in(page, "city", "wrong-password-1")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    log_in(page, "city")
    expect(page.get_by_role("heading", level=1)).to_contain_text("概览")
    expect(page.locator("svg[role=img] rect")).to_have_count(14)


def test_a_district_admin_sees_only_their_own_districts_accounts(app, page):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    add_staff("nanling", "street_admin", STREET_A)
    add_staff("kuancheng", "district_admin", DISTRICT_B)
    add_staff("xinfa", "street_admin", STREET_B)
    log_in(page, "nanguan")
    page.get_by_role("link", name="账号").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("nanling")
    expect(page.locator("body")).not_to_contain_text("xinfa")
    page.goto("/admin/queries")  # teaching is for city staff only
    expect(page.get_by_role("heading", level=1)).to_have_text("无权访问")


def test_teaching_in_the_browser_changes_the_bots_answer(app, page, client):
    add_staff("city", "city_admin", CITY)
    assert client.get("/api/v1/sorting", query_string={"q": "xyzzy"}).get_json()["answers"] == []
    log_in(page, "city")
    page.get_by_role("link", name="未识别问题").click()
    row = page.locator("table.queries tbody tr", has_text="xyzzy")
    row.get_by_label("物品名称").fill("魔法石")
    row.get_by_label("分类").select_option("hazardous")
    row.get_by_role("button", name="教会").click()
    expect(page.get_by_role("status")).to_contain_text("已教会")
    answers = client.get("/api/v1/sorting", query_string={"q": "xyzzy"}).get_json()["answers"]
    assert [(a["item"], a["category"]) for a in answers] == [("魔法石", "hazardous")]
    page.locator("table.taught tr", has_text="魔法石").get_by_role("button", name="撤销").click()
    expect(page.get_by_role("status")).to_contain_text("已撤销")
    assert client.get("/api/v1/sorting", query_string={"q": "xyzzy"}).get_json()["answers"] == []


def test_export_downloads_the_districts_volunteers_with_masked_phones(app, page):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    add_volunteer("张三", "13812345678", STREET_A, "approved")
    add_volunteer("李四", "13987654321", STREET_B, "approved")
    log_in(page, "nanguan")
    page.get_by_role("link", name="志愿者").click()
    expect(page.locator("table.volunteers tbody tr")).to_have_count(1)
    expect(page.locator("table.volunteers")).to_contain_text("138****5678")
    expect(page.locator("body")).not_to_contain_text("李四")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as file:
        rows = list(load_workbook(io.BytesIO(file.read())).active.values)
    assert rows[0][:3] == ("编号", "姓名", "手机号")
    assert [row[1:4] for row in rows[1:]] == [("张三", "138****5678", "南岭街道")]
