"""Fleet test fixtures: a fake IMDSv2 endpoint on 127.0.0.1 (see ``imds_fake``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from imds_fake import FakeImds, serve_imds


@pytest.fixture
def imds() -> Iterator[FakeImds]:
    """A fake metadata endpoint with no notice until the test publishes one."""
    yield from serve_imds(FakeImds())
