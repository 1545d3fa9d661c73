"""Property-based conformance: every operation against its own OpenAPI document (schemathesis).

Valid and invalid requests are generated from the schema and sent in-process; every response
must be declared, match its schema and media type, and never be a server error.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from crepitus.api import create_app
from crepitus.settings import Settings

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 30},
        "checks": {
            # A schema-valid case can still be refused on meaning (an unknown finding id, a diary
            # time in the future, one finding given twice), which JSON Schema cannot express.
            "positive_data_acceptance": {"enabled": False},
            # Oversized invalid bodies (20,001 diary entries) are refused by size first: 413.
            "negative_data_rejection": {
                "expected-statuses": ["400", "404", "405", "413", "415", "422"]
            },
        },
    }
)

# A module-level app: schemathesis reads its schema at collection time and runs its lifespan.
# In-memory SQLite: a real database that leaves no file behind.
app = create_app(Settings(database_url="sqlite://", rate_writes="off", rate_lookups="off"))
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_api_conforms_to_its_schema(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate()
