"""The GraphiQL page, with the named operations of graphql/operations as ready-made tabs."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
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


PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>crm-engine console</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/console/assets/graphiql.css">
  <link rel="stylesheet" href="/console/assets/explorer.css">
  <style>body {{ margin: 0; height: 100vh; overflow: hidden; }} #console {{ height: 100vh; }}</style>
</head>
<body>
  <div id="console">Loading the console…</div>
  <script src="/console/assets/react.js"></script>
  <script src="/console/assets/react-dom.js"></script>
  <script src="/console/assets/graphiql.js"></script>
  <script src="/console/assets/explorer.js"></script>
  <script id="operations" type="application/json">{tabs}</script>
  <script>
    const endpoint = {endpoint};
    const fetcher = GraphiQL.createFetcher({{ url: endpoint, headers: {{ "Accept": "application/json" }} }});
    const explorer = GraphiQLPluginExplorer.explorerPlugin();
    const tabs = JSON.parse(document.getElementById("operations").textContent);
    ReactDOM.createRoot(document.getElementById("console")).render(
      React.createElement(GraphiQL, {{
        fetcher,
        defaultEditorToolsVisibility: true,
        plugins: [explorer],
        defaultTabs: tabs,
        storage: window.sessionStorage,
      }})
    );
  </script>
</body>
</html>
"""


def render(endpoint: str = "/graphql") -> str:
    # Escape "</" so no operation text can close the script element early.
    tabs = json.dumps(operations()).replace("</", "<\\/")
    return PAGE.format(tabs=tabs, endpoint=json.dumps(html.escape(endpoint)))
