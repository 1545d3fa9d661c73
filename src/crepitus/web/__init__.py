"""The patient web pages: server-rendered HTML that works without JavaScript.

``router`` is included by the app (``crepitus.api.app.create_app``), which also mounts
``static/`` at ``/static``. ``error_page`` renders the site's HTML error pages, for an app-level
handler of paths outside ``/v1`` (for example an unknown path's 404).
"""

from __future__ import annotations

from crepitus.web._diary import router as _diary_router
from crepitus.web._render import error_page
from crepitus.web._routes import router

# The diary page (/r/{token}/diary) sits behind the same private link as the result.
router.include_router(_diary_router)

__all__ = ["error_page", "router"]
