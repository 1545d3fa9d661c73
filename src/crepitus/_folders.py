"""The user's own folders for crepitus, kept apart from the settings so that finding the cache
folder at a command's start costs no settings import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

__all__ = ["user_folder"]


def user_folder(kind: Literal["data", "cache"]) -> Path:
    """The user's data or cache folder for crepitus (platformdirs; its XDG rule without it)."""
    try:
        import platformdirs
    except ImportError:  # optional: the XDG rule below is what platformdirs does on Linux
        env, default = {
            "data": ("XDG_DATA_HOME", Path.home() / ".local" / "share"),
            "cache": ("XDG_CACHE_HOME", Path.home() / ".cache"),
        }[kind]
        return Path(os.environ.get(env) or default) / "crepitus"
    find = platformdirs.user_data_dir if kind == "data" else platformdirs.user_cache_dir
    return Path(find("crepitus", appauthor=False))
