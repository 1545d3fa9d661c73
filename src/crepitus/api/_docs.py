"""/docs from packaged assets: Swagger UI from the ``swagger-ui-bundle`` package, no CDN.

The page runs only scripts from this server (the bundle and ``/docs/init.js``), under its own
Content-Security-Policy; Swagger UI sets inline styles, so styles allow 'unsafe-inline'.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, Response

__all__ = ["DOCS_CSP", "install_docs"]

DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crepitus API</title>
<link rel="stylesheet" href="{root}/docs/assets/swagger-ui.css">
</head><body>
<noscript><p>The interactive documentation needs JavaScript. The API is described in
<a href="{root}/openapi.json">/openapi.json</a>.</p></noscript>
<div id="swagger-ui" data-url="{root}/openapi.json"></div>
<script src="{root}/docs/assets/swagger-ui-bundle.js"></script>
<script src="{root}/docs/init.js"></script>
</body></html>
"""

_INIT = b"""window.addEventListener("load", function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({url: el.getAttribute("data-url"), dom_id: "#swagger-ui",
    deepLinking: true, validatorUrl: null});
});
"""


def _assets() -> Path | None:
    try:
        import swagger_ui_bundle  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(swagger_ui_bundle.swagger_ui_path)
    return path if (path / "swagger-ui-bundle.js").is_file() else None


_PLAIN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>crepitus API</title></head>
<body><h1>crepitus API</h1><p>The API is described in
<a href="{root}/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></body></html>
"""


def install_docs(app: FastAPI) -> None:
    """Serve /docs (and its assets) from this machine; a plain page if the bundle is missing."""
    assets = _assets()
    headers = {"Content-Security-Policy": DOCS_CSP, "Cache-Control": "no-cache"}

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        root = ""
        page = _PAGE if assets is not None else _PLAIN
        return HTMLResponse(page.format(root=root), headers=headers)

    if assets is None:
        return

    @app.get("/docs/init.js", include_in_schema=False)
    async def docs_init() -> Response:
        return Response(_INIT, media_type="text/javascript", headers=headers)

    app.mount("/docs/assets", StaticFiles(directory=assets), name="docs-assets")
