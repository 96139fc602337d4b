"""The development issuer in this process, serving the realm file with its development secrets."""
from __future__ import annotations

import pytest

from services.devissuer import start
from tests.conftest import REALM_FILE

SECRET_VARS = ("BROBYGGER_NODE_MIR_SECRET", "BROBYGGER_NODE_MIRA_SECRET", "BROBYGGER_NODE_MKR_SECRET",
               "BROBYGGER_HUB_SECRET")


class FakeClock:
    """A monotonic clock that only moves when a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def dev_env():
    """BROBYGGER_ENV=development and no secret variables, so every client has its development secret."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BROBYGGER_ENV", "development")
        for name in SECRET_VARS:
            mp.delenv(name, raising=False)
        yield mp


@pytest.fixture(scope="module")
def running(dev_env):
    handle = start(REALM_FILE, "127.0.0.1", 0)
    yield handle
    handle.stop()
