"""The console page: a login form, then GraphiQL with the named operations of graphql/operations
as ready-made tabs (the behaviour is in static/console.js)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from string import Template
from typing import Any

from engine import clock
from engine.settings import PROJECT_ROOT

OPERATIONS_DIR = PROJECT_ROOT / "graphql" / "operations"

# A leading comment line `# variables: {...}` gives the tab example variables (JSON).
_VARIABLES = re.compile(r"#\s*variables:\s*(?P<json>\{.*\})\s*")


def day_placeholders(day: date | None = None) -> dict[str, str]:
    """`{{today}}`, `{{todayStart}}` and `{{tomorrowStart}}`: the brand's current day, so that a
    tab such as "today's unassigned work orders" means today whenever the console opens."""
    day = day or clock.today()
    start = datetime.combine(day, time.min, tzinfo=clock.BRAND_TZ)
    return {
        "{{today}}": day.isoformat(),
        "{{todayStart}}": start.isoformat(),
        "{{tomorrowStart}}": (start + timedelta(days=1)).isoformat(),
    }


def example_variables(text: str, day: date | None = None) -> dict[str, Any] | None:
    """The example variables of an operation's leading comment, day placeholders filled in;
    ValueError if they are not JSON."""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _VARIABLES.fullmatch(line)
        if match:
            raw = match["json"]
            for placeholder, value in day_placeholders(day).items():
                raw = raw.replace(placeholder, value)
            value = json.loads(raw)
            if not isinstance(value, dict):
                raise ValueError("example variables must be a JSON object")
            return value
    return None


def operations(directory: Path = OPERATIONS_DIR) -> list[dict[str, str]]:
    """Each operation file as a GraphiQL tab; its leading `#` comment lines document it."""
    tabs = []
    for path in sorted(directory.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        tab = {"query": text}
        try:
            variables = example_variables(text)
        except ValueError:  # a typo in an example must not take the console down; a test catches it
            variables = None
        if variables is not None:
            tab["variables"] = json.dumps(variables, indent=2, ensure_ascii=False)
        tabs.append(tab)
    return tabs


LOGIN_PATH = "/auth/login"
REFRESH_PATH = "/auth/refresh"

# The page is public: it holds no data, only the login form; console.js shows GraphiQL once the
# planner has a token, and GraphiQL's every request carries it.
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>crm-engine console</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/console/assets/graphiql.css">
  <link rel="stylesheet" href="/console/assets/explorer.css">
  <link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
  <main id="login" class="login" hidden>
    <form id="login-form" class="login-card">
      <h1>crm-engine console</h1>
      <label for="username">Username</label>
      <input id="username" name="username" autocomplete="username" autocapitalize="none" required>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">Log in</button>
      <p id="login-message" class="login-message" role="alert"></p>
    </form>
  </main>
  <div id="app" hidden>
    <header class="bar">
      <span class="title">crm-engine console</span>
      <span id="who" class="who"></span>
      <button id="logout" type="button">Log out</button>
    </header>
    <div id="console"></div>
  </div>
  <noscript>The console needs JavaScript.</noscript>
  <script id="console-config" type="application/json">$config</script>
  <script id="operations" type="application/json">$tabs</script>
  <script src="/console/assets/react.js"></script>
  <script src="/console/assets/react-dom.js"></script>
  <script src="/console/assets/graphiql.js"></script>
  <script src="/console/assets/explorer.js"></script>
  <script src="/console/assets/console.js"></script>
</body>
</html>
"""


def _json_in_script(value: Any) -> str:
    # Escape "</" so no operation text can close the script element early.
    return json.dumps(value).replace("</", "<\\/")


def render(endpoint: str = "/graphql") -> str:
    config = {"endpoint": endpoint, "login": LOGIN_PATH, "refresh": REFRESH_PATH}
    return Template(PAGE).substitute(config=_json_in_script(config), tabs=_json_in_script(operations()))
