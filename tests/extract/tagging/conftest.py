"""Fixtures of the tagger tests."""

from __future__ import annotations

import pytest

from extract.tagging import Tagger, load_tagger


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    """The shipped tagger, loaded once for the session."""
    return load_tagger()
