"""The GraphiQL page, with the named operations of graphql/operations as ready-made tabs."""

from __future__ import annotations

import html
import json
from pathlib import Path

from engine.settings import PROJECT_ROOT

OPERATIONS_DIR = PROJECT_ROOT / "graphql" / "operations"


def operations(directory: Path = OPERATIONS_DIR) -> list[dict[str, str]]:
    """Each operation file as a GraphiQL tab; its leading `#` comment lines document it."""
    tabs = []
    for path in sorted(directory.glob("*.graphql")):
        tabs.append({"query": path.read_text(encoding="utf-8")})
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
