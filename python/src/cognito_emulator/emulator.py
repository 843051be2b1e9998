"""Start the bundled ``cognito-emulator`` and talk to it.

Only the standard library is needed; boto3 is imported when a boto3 client is asked for.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Deque, Dict, List, Optional, Sequence, Union

__all__ = ["CognitoEmulator", "EmulatorError", "Pool", "find_binary"]

#: The account root's key pair the emulator always knows (its banner prints it too).
ACCESS_KEY_ID = "test"
SECRET_ACCESS_KEY = "test"

#: The settings of the emulator's default pool (fixtures/default-seed.json: the tutorial's
#: console set-up), used for the pools ``create_pool`` makes.
_POOL_SETTINGS: Dict[str, Any] = {
    "UsernameAttributes": ["email"],
    "AutoVerifiedAttributes": ["email"],
    "UsernameConfiguration": {"CaseSensitive": False},
    "Policies": {
        "PasswordPolicy": {
            "MinimumLength": 8,
            "RequireUppercase": False,
            "RequireLowercase": False,
            "RequireNumbers": False,
            "RequireSymbols": False,
            "TemporaryPasswordValidityDays": 7,
        }
    },
    "Schema": [{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
    "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
}
_CLIENT_SETTINGS: Dict[str, Any] = {
    "GenerateSecret": True,
    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
    "PreventUserExistenceErrors": "ENABLED",
}


class EmulatorError(RuntimeError):
    """The emulator could not be found, did not start, or answered an emulator route badly."""


def find_binary() -> str:
    """The ``cognito-emulator`` executable: ``$COGNITO_EMULATOR_BIN``, else the one this wheel
    installed beside the running interpreter, else the first on ``PATH``."""
    override = os.environ.get("COGNITO_EMULATOR_BIN")
    if override:
        return override
    name = "cognito-emulator.exe" if sys.platform == "win32" else "cognito-emulator"
    candidates = [Path(sysconfig.get_path("scripts")) / name, Path(sys.executable).parent / name]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("cognito-emulator")
    if found:
        return found
    raise EmulatorError(
        "cognito-emulator not found: install the cognito-emulator wheel in this environment "
        "or set COGNITO_EMULATOR_BIN"
    )


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """``base64(HMAC-SHA256(client secret, username + client id))``, as Cognito checks it."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class _Routes:
    """The emulator-only routes (``/_emulator/...``), shared by the emulator and its pools."""

    endpoint_url: str

    def _get(self, path: str, query: Optional[Dict[str, str]] = None) -> Any:
        url = f"{self.endpoint_url}{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)

    def _post(self, path: str, body: Dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"{self.endpoint_url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise EmulatorError(f"POST {path}: {error.code} {error.read().decode(errors='replace')}") from None

    def _messages(self, user: Optional[str], pool: Optional[str]) -> List[Dict[str, Any]]:
        query = {k: v for k, v in (("user", user), ("pool", pool)) if v is not None}
        return list(self._get("/_emulator/outbox", query)["messages"])


class Pool(_Routes):
    """A user pool and its app client (with a secret), made for one test by ``create_pool``."""

    def __init__(self, emulator: "CognitoEmulator", pool_id: str, client_id: str, client_secret: str):
        self.emulator = emulator
        self.endpoint_url = emulator.endpoint_url
        self.region = emulator.region
        self.pool_id = pool_id
        self.client_id = client_id
        self.client_secret = client_secret

    def secret_hash(self, username: str) -> str:
        """The SECRET_HASH of ``username`` for this pool's client."""
        return secret_hash(username, self.client_id, self.client_secret)

    def client(self, service: str = "cognito-idp", **kwargs: Any) -> Any:
        """A boto3 client for ``service`` ("cognito-idp" or "sts") at the emulator."""
        return self.emulator.client(service, **kwargs)

    def messages(self, user: Optional[str] = None) -> List[Dict[str, Any]]:
        """The messages this pool "sent", oldest first (``GET /_emulator/outbox``)."""
        return self._messages(user, self.pool_id)

    def codes(self, user: Optional[str] = None) -> List[str]:
        """The codes in this pool's messages (to ``user`` if given), oldest first."""
        return [m["code"] for m in self.messages(user) if m.get("code")]

    def delete(self) -> None:
        """Deletes the pool, its client and its users."""
        self.client("cognito-idp").delete_user_pool(UserPoolId=self.pool_id)


class CognitoEmulator(_Routes):
    """The bundled emulator, on a free loopback port, for as long as the ``with`` block lasts.

    ``seed_file``, ``issuer`` ("aws" or "endpoint"), ``strict_credentials``, ``credentials``
    (``KEY:SECRET[:user/NAME]`` entries), ``region`` and ``data_dir`` (state kept in that
    directory across starts; seeds run only when it is empty) become the emulator's flags; ``args``
    are passed on as they are (``cognito-emulator --help`` lists them). ``empty=True`` starts
    it without the default pool.
    """

    def __init__(
        self,
        *,
        seed_file: Optional[Union[str, os.PathLike]] = None,
        issuer: Optional[str] = None,
        strict_credentials: bool = False,
        credentials: Sequence[str] = (),
        region: Optional[str] = None,
        empty: bool = False,
        data_dir: Optional[Union[str, os.PathLike]] = None,
        args: Sequence[str] = (),
        binary: Optional[str] = None,
        startup_timeout: float = 10.0,
    ):
        self.binary = binary or find_binary()
        command = [self.binary, "--host", "127.0.0.1", "--port", "0"]
        if seed_file is not None:
            command += ["--seed-file", os.fspath(seed_file)]
        if issuer is not None:
            command += ["--issuer", issuer]
        if strict_credentials:
            command.append("--strict-credentials")
        if credentials:
            command += ["--credentials", ",".join(credentials)]
        if region is not None:
            command += ["--region", region]
        if empty:
            command.append("--empty")
        if data_dir is not None:
            command += ["--data-dir", os.fspath(data_dir)]
        command += list(args)
        self.command = command
        self.startup_timeout = startup_timeout
        self.access_key_id = ACCESS_KEY_ID
        self.secret_access_key = SECRET_ACCESS_KEY
        self.endpoint_url = ""
        self.region = ""
        self.pool_id: Optional[str] = None
        self.client_id: Optional[str] = None
        self.client_secret: Optional[str] = None
        self._process: Optional[subprocess.Popen] = None
        self._output: Deque[str] = collections.deque(maxlen=200)
        self._banner_done = threading.Event()

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> "CognitoEmulator":
        """Starts the emulator and waits until it answers."""
        if self._process is not None:
            return self
        # The emulator logs to stdout; a thread reads it for as long as it runs, so a full pipe
        # never stalls it, and keeps the last lines for an error report.
        self._process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        banner: Dict[str, str] = {}
        threading.Thread(target=self._read_output, args=(banner,), daemon=True).start()
        if not self._banner_done.wait(self.startup_timeout) or "endpoint" not in banner:
            self.stop()
            raise EmulatorError(f"cognito-emulator did not start: {self._last_output()}")
        self.endpoint_url = banner["endpoint"]
        self.region = banner["region"]
        self.pool_id = banner.get("pool_id")
        self.client_id = banner.get("client_id")
        self.client_secret = banner.get("client_secret")
        # The port is bound before the banner; answering shows it serves.
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                self._get("/_emulator/clock")
                break
            except OSError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    self.stop()
                    raise EmulatorError(f"cognito-emulator does not answer: {self._last_output()}") from None
                time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stops the process this object started (SIGTERM, then SIGKILL after 5 s)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> "CognitoEmulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _read_output(self, banner: Dict[str, str]) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            line = line.rstrip("\n")
            self._output.append(line)
            if not self._banner_done.is_set():
                self._banner_line(line, banner)
        self._banner_done.set()

    def _banner_line(self, line: str, banner: Dict[str, str]) -> None:
        if line.startswith("cognito-emulator listening on "):
            rest = line[len("cognito-emulator listening on "):]
            endpoint, _, region = rest.partition(" (region ")
            banner["endpoint"] = endpoint
            banner["region"] = region.rstrip(")")
        for label, key in (
            ("default user pool:", "pool_id"),
            ("app client id:", "client_id"),
            ("app client secret:", "client_secret"),
        ):
            if line.startswith(label):
                banner[key] = line[len(label):].strip()
        # The banner's last line: the ROOT keys after the default pool; else the line that
        # says what was seeded, or that nothing was.
        if line.startswith(("export ROOT_USER_CLIENT_ID=", "seeded ", "no pools")):
            self._banner_done.set()

    def _last_output(self) -> str:
        return "\n".join(self._output) or "(no output)"

    @property
    def output(self) -> List[str]:
        """The emulator's last lines of output (banner and log)."""
        return list(self._output)

    # -- clients ---------------------------------------------------------------------------

    def client(self, service: str = "cognito-idp", **kwargs: Any) -> Any:
        """A boto3 client for ``service`` ("cognito-idp" or "sts") at the emulator, signed
        with the account root's known key pair unless ``aws_access_key_id`` etc. are given."""
        import boto3  # optional: only this and ``create_pool`` need it

        options: Dict[str, Any] = {
            "endpoint_url": self.endpoint_url,
            "region_name": self.region,
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
        }
        options.update(kwargs)
        return boto3.client(service, **options)

    def secret_hash(
        self, username: str, client_id: Optional[str] = None, client_secret: Optional[str] = None
    ) -> str:
        """The SECRET_HASH of ``username`` (for the default pool's client unless given)."""
        client_id = client_id or self.client_id
        client_secret = client_secret or self.client_secret
        if not client_id or not client_secret:
            raise EmulatorError("no default client (started empty or with a seed file): pass client_id and client_secret")
        return secret_hash(username, client_id, client_secret)

    def create_pool(self, name: Optional[str] = None) -> Pool:
        """A new pool with the default pool's settings (e-mail usernames, TOTP optional) and
        a client with a secret. Needs boto3."""
        idp = self.client("cognito-idp")
        pool_id = idp.create_user_pool(PoolName=name or f"test-{uuid.uuid4().hex[:12]}", **_POOL_SETTINGS)["UserPool"]["Id"]
        idp.set_user_pool_mfa_config(
            UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
        )
        client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="test-client", **_CLIENT_SETTINGS)
        details = client["UserPoolClient"]
        return Pool(self, pool_id, details["ClientId"], details["ClientSecret"])

    # -- emulator routes -------------------------------------------------------------------

    def messages(self, user: Optional[str] = None, pool: Optional[str] = None) -> List[Dict[str, Any]]:
        """The messages the emulator "sent" (to ``user``, in ``pool``), oldest first."""
        return self._messages(user, pool)

    def codes(self, user: Optional[str] = None, pool: Optional[str] = None) -> List[str]:
        """The codes in those messages, oldest first: the last one is the newest."""
        return [m["code"] for m in self._messages(user, pool) if m.get("code")]

    def now(self) -> float:
        """The emulator's time, in epoch seconds."""
        return float(self._get("/_emulator/clock")["now"])

    def advance_clock(self, seconds: float) -> float:
        """Moves the emulator's clock forward (codes, tokens, lockouts expire on it); answers
        its new time. It never goes back."""
        return float(self._post("/_emulator/clock", {"advance_seconds": seconds})["now"])
