"""pytest fixtures, registered through the ``pytest11`` entry point when the wheel is installed.

- ``cognito_emulator`` (session): one emulator for the whole run, with its default pool.
- ``cognito_pool`` (function): a fresh pool and client for one test, deleted after it, so
  tests are isolated without restarting the emulator. Needs boto3.

``--cognito-emulator-arg=ARG`` (repeatable) passes flags to the emulator, e.g.
``--cognito-emulator-arg=--strict-credentials``.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .emulator import CognitoEmulator, Pool


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cognito-emulator-arg",
        action="append",
        default=[],
        help="a flag for cognito-emulator (repeatable), e.g. --cognito-emulator-arg=--strict-credentials",
    )


@pytest.fixture(scope="session")
def cognito_emulator(pytestconfig: pytest.Config) -> Iterator[CognitoEmulator]:
    """The bundled emulator on a free loopback port, started once per test session."""
    with CognitoEmulator(args=pytestconfig.getoption("cognito_emulator_arg")) as emulator:
        yield emulator


@pytest.fixture
def cognito_pool(cognito_emulator: CognitoEmulator) -> Iterator[Pool]:
    """A new pool with the default pool's settings and a client with a secret, for one test."""
    pool = cognito_emulator.create_pool()
    try:
        yield pool
    finally:
        pool.delete()
