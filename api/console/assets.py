"""The console's browser assets: GraphiQL and React installed from the npm registry into
node_modules at set-up, and the console's own script and style beside this module."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from engine.settings import PROJECT_ROOT

NODE_MODULES = PROJECT_ROOT / "node_modules"
STATIC = Path(__file__).resolve().parent / "static"

# URL name -> file under node_modules; an allow-list, so nothing else there is served.
ASSETS: dict[str, str] = {
    "react.js": "react/umd/react.production.min.js",
    "react-dom.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.js": "graphiql/graphiql.min.js",
    "graphiql.css": "graphiql/graphiql.min.css",
    "explorer.js": "@graphiql/plugin-explorer/dist/index.umd.js",
    "explorer.css": "@graphiql/plugin-explorer/dist/style.css",
}

# URL name -> file under static/: ours, changed with the code, so browsers revalidate them.
OWN_ASSETS: dict[str, str] = {
    "console.js": "console.js",
    "console.css": "console.css",
}


def missing_assets(root: Path = NODE_MODULES) -> list[str]:
    return [path for path in ASSETS.values() if not (root / path).is_file()]


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name in OWN_ASSETS:
        return FileResponse(STATIC / OWN_ASSETS[name], headers={"Cache-Control": "no-cache"})
    if name not in ASSETS:
        raise HTTPException(404)
    path = NODE_MODULES / ASSETS[name]
    if not path.is_file():
        raise HTTPException(503, f"console asset {name} is not installed: run `make install`")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})
