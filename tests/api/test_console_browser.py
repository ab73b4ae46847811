"""The console end to end: the real server under uvicorn, GraphiQL in headless Chromium, no CDN."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn

from api.app import create_app
from engine.settings import Settings
from tests.conftest import GraphQL, data_of

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOT = Path("/tmp/console.png")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SEED = """
mutation Seed($dealer: DealerCreateInput!) {
  dealerCreate(input: $dealer) { dealer { id code } errors { field code } }
}
"""

SEED_STORE = """
mutation SeedStore($store: StoreCreateInput!) {
  storeCreate(input: $store) { store { code } errors { field code } }
}
"""


def _chromium_or_skip() -> str:
    """The Chromium binary; a skip where it is missing, a failure on CI, which installs it."""
    if shutil.which(CHROMIUM) or Path(CHROMIUM).is_file():
        return CHROMIUM
    reason = f"Chromium not found at {CHROMIUM} (set CHROMIUM to its path)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must install it")
    pytest.skip(reason)


def _seed(gql: GraphQL, code: str) -> None:
    """A dealer with one sub-dealer, which runs one store, made through the public mutations."""

    def dealer(c: str, parent_id: str | None = None) -> str:
        body = {"code": c, "name": f"经销商 {c}", "legalRepresentative": "王芳", "channelType": "AGENT",
                "cooperationLevel": "CITY_AGENT", "parentId": parent_id}
        payload = data_of(gql(SEED, {"dealer": body}))["dealerCreate"]
        assert payload["errors"] == []
        return payload["dealer"]["id"]

    top = dealer(code)
    child = dealer(f"{code}-SUB", top)
    store = {"code": f"{code}-S1", "name": "旗舰店", "dealerId": child, "regionCode": "310115",
             "address": "上海市浦东新区世纪大道 1 号", "latitude": 31.23, "longitude": 121.5,
             "manager": "李娜", "phone": "021-5555-0101"}
    assert data_of(gql(SEED_STORE, {"store": store}))["storeCreate"]["errors"] == []


@pytest.fixture
def server(database_url: str) -> Iterator[str]:
    """The real app under uvicorn on a free 127.0.0.1 port, in a background thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(Settings(database_url=database_url, crm_env="development"))
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=20)
    sock.close()


def test_console_runs_the_dealer_tree_operation_with_no_request_off_the_server(gql: GraphQL, server: str) -> None:
    # given: a dealer tree in the database, the console open in Chromium with the outside world cut off
    chromium = _chromium_or_skip()
    from playwright.sync_api import Route, sync_playwright

    _seed(gql, "E2E-7")
    off_server: list[str] = []
    introspections: list[dict[str, Any]] = []

    def guard(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            off_server.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route("**/*", guard)
            page = context.new_page()

            def keep_introspection(response: Any) -> None:
                request = response.request
                if request.method == "POST" and "__schema" in (request.post_data or ""):
                    introspections.append(response.json())

            page.on("response", keep_introspection)
            page.goto(f"{server}/graphql", wait_until="networkidle")
            page.wait_for_selector(".graphiql-container", timeout=20_000)

            # when: the planner picks the DealerTree tab, sets the dealer code and runs it
            tab = page.locator(".graphiql-tab", has_text="DealerTree")
            if tab.count():
                tab.first.click()
            page.wait_for_function(
                "() => document.querySelector('.graphiql-query-editor .CodeMirror')"
                ".CodeMirror.getValue().includes('query DealerTree')"
            )
            page.get_by_role("button", name="Variables").click()
            page.evaluate(
                "(v) => document.querySelector('.graphiql-editor-tool .CodeMirror').CodeMirror.setValue(v)",
                json.dumps({"code": "E2E-7"}),
            )
            page.locator(".graphiql-execute-button").click()
            page.wait_for_function(
                "() => document.querySelector('.graphiql-response .CodeMirror')"
                ".CodeMirror.getValue().includes('E2E-7-S1')",
                timeout=20_000,
            )
            result = json.loads(
                page.evaluate("() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()")
            )
            page.screenshot(path=str(SCREENSHOT))
        finally:
            browser.close()

    # then: the seeded tree came back, the schema loaded, and nothing was fetched from elsewhere
    node = result["data"]["dealers"]["edges"][0]["node"]
    assert "errors" not in result
    assert node["code"] == "E2E-7"
    assert [c["code"] for c in node["children"]] == ["E2E-7-SUB"]
    assert [s["code"] for s in node["children"][0]["stores"]] == ["E2E-7-S1"]
    assert introspections and all("errors" not in body for body in introspections)
    assert off_server == []
