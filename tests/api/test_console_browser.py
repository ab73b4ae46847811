"""The console end to end: the real server under uvicorn, the login form and GraphiQL in headless
Chromium, no CDN."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from sqlalchemy import Engine, update

from api.app import create_app
from engine.access.permissions import Role
from engine.services.access import create_user
from engine.settings import Settings
from engine.store.access import User
from engine.store.session import make_async_engine, make_sessionmaker, transaction
from tests.conftest import GraphQL, data_of

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, Route

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOT = Path("/tmp/console.png")
LOGIN_SCREENSHOT = Path("/tmp/console-login.png")
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


PLANNER, PASSWORD = "planner.li", "correct horse battery staple"
SESSION_KEY = "crm-engine:session"
QUERY_EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
RESPONSE_EDITOR = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror"


def _create_user(database_url: str, username: str, password: str, roles: list[Role]) -> None:
    """An account made by the access use case, as `crm-engine user-create` would (in a thread of
    its own: playwright's sync API keeps an event loop running in this one)."""

    async def create() -> None:
        engine = make_async_engine(database_url)
        try:
            async with transaction(make_sessionmaker(engine)) as session:
                await create_user(session, {"username": username, "display_name": "李计划", "password": password,
                                            "roles": [r.value for r in roles]})
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, create()).result()


@dataclass
class Console:
    """One Chromium tab on the console, with what it sent to the GraphQL endpoint recorded."""

    page: Page
    server: str
    off_server: list[str] = field(default_factory=list)
    graphql_requests: list[Request] = field(default_factory=list)

    def open(self) -> None:
        self.page.goto(f"{self.server}/graphql", wait_until="networkidle")

    def log_in(self, username: str, password: str) -> None:
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()

    def wait_for_graphiql(self) -> None:
        self.page.wait_for_selector(".graphiql-container", timeout=20_000)

    def wait_for_login_form(self) -> None:
        self.page.get_by_label("Username").wait_for(state="visible", timeout=20_000)

    def message(self) -> str:
        return self.page.locator("#login-message").inner_text()

    def stored_session(self) -> dict[str, Any] | None:
        raw = self.page.evaluate(f"() => window.sessionStorage.getItem('{SESSION_KEY}')")
        return json.loads(raw) if raw else None

    def stored_session_once(self, condition: Callable[[dict[str, Any] | None], bool]) -> dict[str, Any] | None:
        """The stored session as soon as it meets `condition` (the page stores a token a moment
        after its response arrives), polled from here: the page's own timers may be faked."""
        deadline = time.monotonic() + 10
        while not condition(session := self.stored_session()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return session

    def run_dealer_tree(self, code: str, expect: str) -> dict[str, Any]:
        """Pick the DealerTree tab, set its variables, run it, return the response shown."""
        tab = self.page.locator(".graphiql-tab", has_text="DealerTree")
        if tab.count():
            tab.first.click()
        self.page.wait_for_function(f"() => {QUERY_EDITOR}.getValue().includes('query DealerTree')")
        self.page.get_by_role("button", name="Variables").click()
        self.page.evaluate(
            "(v) => document.querySelector('.graphiql-editor-tool .CodeMirror').CodeMirror.setValue(v)",
            json.dumps({"code": code}),
        )
        self.execute()
        self.page.wait_for_function(f"(text) => {RESPONSE_EDITOR}.getValue().includes(text)", arg=expect, timeout=20_000)
        result: dict[str, Any] = json.loads(self.page.evaluate(f"() => {RESPONSE_EDITOR}.getValue()"))
        return result

    def execute(self) -> None:
        self.page.locator(".graphiql-execute-button").click()


@pytest.fixture
def console(server: str) -> Iterator[Console]:
    """Headless Chromium on the console, every request off 127.0.0.1 aborted and recorded."""
    chromium = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            tab = Console(page=page, server=server)

            def guard(route: Route) -> None:
                if urlsplit(route.request.url).hostname == "127.0.0.1":
                    route.continue_()
                else:
                    tab.off_server.append(route.request.url)
                    route.abort()

            def keep_graphql(request: Request) -> None:
                if request.method == "POST" and urlsplit(request.url).path == "/graphql":
                    tab.graphql_requests.append(request)

            context.route("**/*", guard)
            page.on("request", keep_graphql)
            yield tab
        finally:
            browser.close()


def test_planner_logs_in_and_runs_the_dealer_tree_with_no_request_off_the_server(
    gql: GraphQL, database_url: str, console: Console
) -> None:
    # given: a dealer tree, a planner's account, the console open with the outside world cut off
    _seed(gql, "E2E-7")
    _create_user(database_url, PLANNER, PASSWORD, [Role.OPS_PLANNER])
    console.open()
    console.wait_for_login_form()
    graphiql_before_login = console.page.locator(".graphiql-container").count()

    # when: the planner logs in through the form and runs the DealerTree tab
    console.log_in(PLANNER, PASSWORD)
    console.wait_for_graphiql()
    result = console.run_dealer_tree("E2E-7", expect="E2E-7-S1")
    console.page.screenshot(path=str(SCREENSHOT))
    session = console.stored_session()
    local_storage_keys = console.page.evaluate("() => Object.keys(window.localStorage)")
    tab_titles = console.page.locator(".graphiql-tab").all_inner_texts()

    # then: the seeded tree came back, every GraphQL request carried the login token (kept in
    # sessionStorage only), the saved operations are tabs, and nothing was fetched from elsewhere
    node = result["data"]["dealers"]["edges"][0]["node"]
    assert "errors" not in result
    assert node["code"] == "E2E-7"
    assert [c["code"] for c in node["children"]] == ["E2E-7-SUB"]
    assert [s["code"] for s in node["children"][0]["stores"]] == ["E2E-7-S1"]
    assert graphiql_before_login == 0
    assert session is not None and session["username"] == PLANNER
    assert local_storage_keys == []
    assert console.graphql_requests, "GraphiQL sent nothing"
    assert all(r.headers.get("authorization") == f"Bearer {session['token']}" for r in console.graphql_requests)
    introspections = [r.response() for r in console.graphql_requests if "__schema" in (r.post_data or "")]
    assert introspections and all(r is not None and r.ok and "errors" not in r.json() for r in introspections)
    assert any("DealerTree" in t for t in tab_titles) and len(tab_titles) >= 4
    assert console.page.locator("#who").inner_text() == f"Logged in as {PLANNER}"
    assert console.off_server == []


def test_a_wrong_password_shows_the_servers_message_and_no_console(database_url: str, console: Console) -> None:
    # given: a planner's account and the console's login form
    _create_user(database_url, PLANNER, PASSWORD, [Role.OPS_PLANNER])
    console.open()
    console.wait_for_login_form()

    # when: the planner types a wrong password
    with console.page.expect_response(lambda r: r.url.endswith("/auth/login")) as login:
        console.log_in(PLANNER, "not the right password")
    console.page.locator("#login-message").filter(has_text="wrong").wait_for()
    console.page.screenshot(path=str(LOGIN_SCREENSHOT))

    # then: the server's refusal is shown, no token is kept and GraphiQL never loaded
    assert login.value.status == 401
    assert console.message() == login.value.json()["errors"][0]["message"] == "wrong username or password"
    assert console.stored_session() is None
    assert console.page.locator(".graphiql-container").count() == 0
    assert console.graphql_requests == []
    assert console.off_server == []


def test_logging_out_brings_the_form_back_and_forgets_the_token(database_url: str, console: Console) -> None:
    # given: a planner logged in to the console
    _create_user(database_url, PLANNER, PASSWORD, [Role.OPS_PLANNER])
    console.open()
    console.log_in(PLANNER, PASSWORD)
    console.wait_for_graphiql()

    # when: they press "Log out", then open the console again in the same tab
    console.page.get_by_role("button", name="Log out").click()
    console.wait_for_login_form()
    message = console.message()
    storage_after_logout = console.page.evaluate("() => Object.keys(window.sessionStorage)")
    graphiql_after_logout = console.page.locator(".graphiql-container").count()
    console.open()
    console.wait_for_login_form()

    # then: the form is back, nothing of the session is kept (token, GraphiQL's tabs), and
    # opening the console again does not bring GraphiQL back
    assert message == "You have logged out."
    assert storage_after_logout == []
    assert graphiql_after_logout == 0
    assert console.page.locator(".graphiql-container").count() == 0
    assert console.page.evaluate("() => window.sessionStorage.length") == 0
    assert console.off_server == []


def test_a_reload_keeps_the_session_by_refreshing_the_token(database_url: str, console: Console) -> None:
    # given: a planner logged in to the console
    _create_user(database_url, PLANNER, PASSWORD, [Role.OPS_PLANNER])
    console.open()
    console.log_in(PLANNER, PASSWORD)
    console.wait_for_graphiql()

    # when: the page is reloaded in the same tab
    with console.page.expect_response(lambda r: r.url.endswith("/auth/refresh")) as refreshed:
        console.open()
    console.wait_for_graphiql()

    # then: the stored token was checked with the server and renewed, with no second login
    assert refreshed.value.status == 200
    assert refreshed.value.request.headers["authorization"].startswith("Bearer ")
    assert console.stored_session()["token"] == refreshed.value.json()["token"]
    assert console.page.get_by_label("Username").is_hidden()
    assert console.off_server == []


def test_the_console_refreshes_the_token_before_it_expires(database_url: str, console: Console) -> None:
    # given: a planner logged in, with the page's clock under the test's control
    _create_user(database_url, PLANNER, PASSWORD, [Role.OPS_PLANNER])
    console.page.clock.install()
    console.open()
    console.log_in(PLANNER, PASSWORD)
    console.wait_for_graphiql()
    first = console.stored_session()
    ttl = Settings().token_ttl_minutes

    # when: the page's time runs on to a minute before the token would expire
    with console.page.expect_response(lambda r: r.url.endswith("/auth/refresh")) as refreshed:
        console.page.clock.run_for(f"{ttl - 1:02d}:00")

    # then: the console fetched a new token first, kept it, and stays logged in
    second = console.stored_session_once(lambda kept: kept is not None and kept["token"] != first["token"])
    assert refreshed.value.status == 200
    assert refreshed.value.request.headers["authorization"] == f"Bearer {first['token']}"
    assert second["token"] == refreshed.value.json()["token"]
    assert second["deadline"] > first["deadline"]
    assert console.page.get_by_label("Username").is_hidden()
    assert console.off_server == []


def test_a_401_returns_to_the_login_form_with_the_servers_message(db: Engine, database_url: str, console: Console) -> None:
    # given: a planner logged in to the console
    _create_user(database_url, PLANNER, PASSWORD, [Role.OPS_PLANNER])
    console.open()
    console.log_in(PLANNER, PASSWORD)
    console.wait_for_graphiql()

    # when: an administrator deactivates the account, and the planner runs an operation
    with db.begin() as c:
        c.execute(update(User).where(User.username == PLANNER).values(active=False))
    with console.page.expect_response(lambda r: urlsplit(r.url).path == "/graphql" and r.status == 401) as refused:
        console.execute()
    console.wait_for_login_form()

    # then: the form is back with the server's reason, and the token is gone
    assert console.message() == refused.value.json()["errors"][0]["message"]
    assert "log in again" in console.message()
    assert console.stored_session() is None
    assert console.page.locator(".graphiql-container").count() == 0
    assert console.off_server == []
