"""Missing prerequisites skip a test locally and fail it under CI=true."""

from __future__ import annotations

import os

import pytest


def require_ci_or_skip(reason: str) -> None:
    """Skip locally when a prerequisite is missing; fail under CI=true."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)
