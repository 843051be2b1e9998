"""A local Amazon Cognito user-pool emulator for tests: the bundled ``cognito-emulator``
binary, :class:`CognitoEmulator` to run it, and a pytest plugin (fixtures
``cognito_emulator`` and ``cognito_pool``)."""

from .emulator import ACCESS_KEY_ID, SECRET_ACCESS_KEY, CognitoEmulator, EmulatorError, Pool, find_binary, secret_hash

__all__ = [
    "ACCESS_KEY_ID",
    "SECRET_ACCESS_KEY",
    "CognitoEmulator",
    "EmulatorError",
    "Pool",
    "find_binary",
    "secret_hash",
]
