"""Fixtures shared by every test folder, and the property tests' profile."""

import os
import tempfile

from hypothesis import settings

from tests.pgfixture import _pg_shared, db_url, empty_db_url, pg_url

__all__ = ["_pg_shared", "db_url", "empty_db_url", "pg_url"]

# The reader kept between processes goes to a folder of this run, not the user's cache; the
# command-line tests' subprocesses inherit it.
os.environ.setdefault("CREPITUS_CACHE_DIR", tempfile.mkdtemp(prefix="crepitus-cache-"))

# Property tests run the same examples every time ("ci", the default), so a red run can be
# reproduced and never comes and goes; HYPOTHESIS_PROFILE=explore searches afresh each run.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
