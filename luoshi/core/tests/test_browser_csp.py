"""The Content-Security-Policy (always on, Django 6's middleware) is one the pages pass: the real Chromium loads the
main pages of each role and no CSP violation is reported (console errors or securitypolicyviolation events)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

PAGES = {
    "admin": ["/", "/supervision/", "/supervision/scoreboard/", "/supervision/notices/", "/plans/", "/projects/",
              "/orgs/", "/calendar/", "/audit/", "/dashboard/", "/notifications/", "/api/docs"],
    "staff": ["/", "/supervision/mine/", "/supervision/"],
    "leader": ["/", "/dashboard/", "/supervision/overview/"],
}

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


@pytest.mark.django_db
def test_every_page_sends_a_csp_with_a_nonce(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users["admin"])
    response = client.get("/orgs/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_pass_the_csp_in_chromium(browser: Any, live_server: Any, users: dict[str, Any]) -> None:
    from conftest import TEST_PASSWORD

    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    for role, urls in PAGES.items():
        context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
        context.add_init_script(WATCH)
        page = context.new_page()
        page.set_default_timeout(45000)
        console: list[str] = []
        page.on("console", lambda msg, sink=console: sink.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", users[role].username)
        page.fill("#id_password", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status < 400, (role, url, response and response.status)
            assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()} or (
                "content-security-policy" in response.headers
            )
            page.wait_for_load_state("networkidle")
            violations = page.evaluate("window.__csp || []")
            problems += [f"{role} {url}: {v}" for v in violations]
            problems += [f"{role} {url}: {m}" for m in console if "Content Security Policy" in m]
            console.clear()
        page.goto(f"{live_server.url}/orgs/")
        page.screenshot(path=str(ARTIFACTS / f"csp-{role}.png"), full_page=False)
        # the control: an inline script without the nonce is blocked and reported, so the watch works
        page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
                      " document.body.appendChild(s); }")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__csp.length") >= 1 and page.evaluate("window.x") is None
        context.close()
    assert not problems, "\n".join(problems)
