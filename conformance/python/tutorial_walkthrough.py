"""The tutorial's own calls, made with boto3 against a running cognito-emulator.

Exactly the tutorial's sequence: sign_up with SecretHash, confirm_sign_up with the code
(read from the emulator's outbox), initiate_auth USER_PASSWORD_AUTH with SECRET_HASH,
change_password, initiate_auth with the new password, refresh, delete_user; and each
wrong input along the way (bad SecretHash, wrong code, wrong password, edited token)
must be refused with Cognito's error. Besides, pycognito's AWSSRP signs in with
USER_SRP_AUTH, the flow amazon-cognito-identity-js and Amplify use by default, and the
tutorial's TOTP set-up (associate, verify, prefer, sign in with a code) runs with pyotp
standing in for the authenticator app. Then the admin path (SigV4-signed with the banner's
keys): a user created by an administrator with a temporary password answers NEW_PASSWORD_REQUIRED,
joins a group whose claims aws-jwt-verify reads from the tokens, gets TOTP turned on the way the
tutorial's backend does it, is found by ListUsers and the AWS CLI, then disabled and deleted.

Last, the tutorial's admin path as its backend sets it up: STS GetSessionToken with the root
pair (ROOT_USER_CLIENT_ID / ROOT_USER_CLIENT_SECRET) gives temporary ASIA credentials, capped to
an hour for root, and a cognito-idp client signed with them (session token included) makes admin
calls. Both clients find the emulator through AWS_ENDPOINT_URL alone, with no endpoint_url. Around
it: GetCallerIdentity names the root, session credentials may not call GetSessionToken, a wrong
secret (InvalidSignatureException / SignatureDoesNotMatch), an unknown key (the emulator runs with
--strict-credentials) and a tampered session token are refused, an IAM user (the extra
--credentials key) assumes a role while root may not, the AWS CLI's `aws sts` commands work with
the environment only, and, once the emulator's clock has been moved past a 900-second session,
its credentials are refused with ExpiredTokenException (ExpiredToken on STS). The clock move comes
last, so no earlier code or token is expired by it.

Configuration comes from the variables the emulator's banner prints:
AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (test / test),
COGNITO_REGION_NAME, COGNITO_USER_POOL_ID, COGNITO_USER_CLIENT_ID, COGNITO_CLIENT_SECRET,
ROOT_USER_CLIENT_ID / ROOT_USER_CLIENT_SECRET. run_walkthrough.sh also gives the emulator the IAM
user key AKIAWALKTHROUGH01 / walkthrough-secret (user/walkthrough).
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import uuid

import boto3
import pyotp
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
REGION = os.environ["COGNITO_REGION_NAME"]
POOL_ID = os.environ["COGNITO_USER_POOL_ID"]
CLIENT_ID = os.environ["COGNITO_USER_CLIENT_ID"]
CLIENT_SECRET = os.environ["COGNITO_CLIENT_SECRET"]
ROOT_KEY = os.environ["ROOT_USER_CLIENT_ID"]
ROOT_SECRET = os.environ["ROOT_USER_CLIENT_SECRET"]
ACCOUNT = "123456789012"
# The IAM user run_walkthrough.sh gives the emulator (--credentials KEY:SECRET:user/walkthrough).
IAM_USER_KEY, IAM_USER_SECRET = "AKIAWALKTHROUGH01", "walkthrough-secret"

checks = {"passed": 0, "failed": 0}


def get_secret_hash(username):
    """The tutorial's helper, verbatim in substance."""
    msg = username + CLIENT_ID
    dig = hmac.new(str(CLIENT_SECRET).encode("utf-8"), msg=str(msg).encode("utf-8"), digestmod=hashlib.sha256).digest()
    return base64.b64encode(dig).decode()


def check(name, condition, detail=""):
    if condition:
        checks["passed"] += 1
        print(f"PASS {name}")
    else:
        checks["failed"] += 1
        print(f"FAIL {name} {detail}")


def expect_error(name, code, call, message=None):
    try:
        call()
    except ClientError as e:
        got = e.response["Error"]["Code"]
        got_message = e.response["Error"]["Message"]
        ok = got == code and (message is None or got_message == message)
        check(name, ok, f"got {got}: {got_message}")
        return
    check(name, False, "no error raised")


def outbox_code(email):
    query = urllib.parse.urlencode({"pool": POOL_ID, "user": email})
    with urllib.request.urlopen(f"{ENDPOINT}/_emulator/outbox?{query}") as r:
        messages = json.load(r)["messages"]
    return messages[-1]["code"]


def manage_pools(client):
    """Admin calls (SigV4-signed with the dummy credentials): a pool and a client round trip."""
    pool = client.create_user_pool(PoolName="walkthrough", UsernameAttributes=["email"])["UserPool"]
    check("create_user_pool returns an id shaped like AWS's", pool["Id"].startswith(REGION + "_") and len(pool["Id"].split("_")[1]) == 9)
    described = client.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    check("describe_user_pool", described["Name"] == "walkthrough" and described["UsernameAttributes"] == ["email"])
    app = client.create_user_pool_client(UserPoolId=pool["Id"], ClientName="walkthrough", GenerateSecret=True)["UserPoolClient"]
    check("create_user_pool_client with a secret", len(app["ClientId"]) == 26 and "ClientSecret" in app)
    got = client.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=app["ClientId"])["UserPoolClient"]
    check("describe_user_pool_client", got["ClientSecret"] == app["ClientSecret"])
    expect_error(
        "describe_user_pool of a missing pool",
        "ResourceNotFoundException",
        lambda: client.describe_user_pool(UserPoolId=REGION + "_missing12"),
        f"User pool {REGION}_missing12 does not exist.",
    )
    expect_error("an unimplemented operation is a plain client error", "UnsupportedOperationException", lambda: client.describe_risk_configuration(UserPoolId=pool["Id"]))
    client.delete_user_pool(UserPoolId=pool["Id"])
    check("delete_user_pool", True)


def amazon_cognito_identity_js(client):
    """amazon-cognito-identity-js signs in with USER_SRP_AUTH (and answers SOFTWARE_TOKEN_MFA):
    what browser apps and Amplify do. It cannot compute SECRET_HASH, so it gets a client without
    a secret, as such apps use. Runs when run_walkthrough.sh installed it (ACIJ_DIR)."""
    js = os.environ.get("ACIJ_DIR")
    if not js:
        print("SKIP amazon-cognito-identity-js: not installed (run through run_walkthrough.sh)")
        return
    import subprocess

    def sign_in(username, password, code=None):
        args = ["node", os.path.join(js, "sign_in.js"), ENDPOINT, POOL_ID, app_id, username, password] + ([code] if code else [])
        done = subprocess.run(args, capture_output=True, text=True, timeout=60)
        lines = done.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else {"code": "no output", "message": done.stderr[-500:]}

    app_id = client.create_user_pool_client(
        UserPoolId=POOL_ID, ClientName="browser", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    email = f"js-{uuid.uuid4().hex[:8]}@example.com"
    client.sign_up(ClientId=app_id, Username=email, Password="correct-horse", UserAttributes=[{"Name": "email", "Value": email}])
    client.confirm_sign_up(ClientId=app_id, Username=email, ConfirmationCode=outbox_code(email))
    got = sign_in(email, "correct-horse")
    check("amazon-cognito-identity-js authenticateUser (SRP) signs in", got.get("ok") is True and got.get("username") != email, got)
    got = sign_in(email, "wrong-horse")
    check("amazon-cognito-identity-js with a wrong password", got.get("code") == "NotAuthorizedException" and got.get("message") == "Incorrect username or password.", got)

    # With a TOTP authenticator turned on, it answers SOFTWARE_TOKEN_MFA.
    tokens = AWSSRP(username=email, password="correct-horse", pool_id=POOL_ID, client_id=app_id, client=client).authenticate_user()
    access = tokens["AuthenticationResult"]["AccessToken"]
    authenticator = pyotp.TOTP(client.associate_software_token(AccessToken=access)["SecretCode"])
    client.verify_software_token(AccessToken=access, UserCode=authenticator.now())
    client.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    got = sign_in(email, "correct-horse", authenticator.now())
    check("amazon-cognito-identity-js answers SOFTWARE_TOKEN_MFA", got.get("ok") is True, got)


def run_node(script, *args):
    """Runs one of conformance/js's scripts (installed by run_walkthrough.sh in ACIJ_DIR) and
    returns the JSON line it printed last."""
    done = subprocess.run(["node", os.path.join(os.environ["ACIJ_DIR"], script), *args], capture_output=True, text=True, timeout=60)
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {"error": "no output", "message": done.stderr[-500:]}


def aws_cli(*args):
    """Runs `aws cognito-idp ARGS` with the AWS CLI that requirements.txt installs next to this
    interpreter, against the emulator; returns (parsed JSON output or None, what it printed)."""
    exe = os.path.join(os.path.dirname(sys.executable), "aws")
    if not os.path.exists(exe):
        return None, f"no AWS CLI at {exe} (install requirements.txt)"
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN")}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
    command = [exe, "cognito-idp", *args, "--endpoint-url", ENDPOINT, "--region", REGION, "--output", "json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    try:
        return json.loads(done.stdout), done.stderr
    except ValueError:
        return None, (done.stderr or done.stdout)[-500:]


def admin_users(client):
    """The admin user API through boto3 (and the AWS CLI) on the default pool and client.
    Expected values: shared/reference/admin-sigv4-facts.md §1-§4 and cognito-wire-facts.md §7."""
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    temporary, permanent = "Temp-Passw0rd!", "Perm-Passw0rd!"
    group = f"walkthrough-{uuid.uuid4().hex[:8]}"
    role_arn = "arn:aws:iam::123456789012:role/walkthrough"

    client.admin_create_user(
        UserPoolId=POOL_ID, Username=email, TemporaryPassword=temporary, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    got = client.admin_get_user(UserPoolId=POOL_ID, Username=email)
    username = got["Username"]
    attributes = {a["Name"]: a["Value"] for a in got.get("UserAttributes", [])}
    check("admin_create_user with a temporary password: admin_get_user shows FORCE_CHANGE_PASSWORD",
          got.get("UserStatus") == "FORCE_CHANGE_PASSWORD" and got.get("Enabled") is True, got)
    # In a pool whose users sign in with e-mail, the username is generated (a UUID), not the e-mail.
    check("admin_get_user by e-mail names the user by its generated username",
          username != email and attributes.get("email") == email and "sub" in attributes, got)

    created = client.create_group(GroupName=group, UserPoolId=POOL_ID, Precedence=1, RoleArn=role_arn)["Group"]
    check("create_group echoes the name, precedence and role",
          (created.get("GroupName"), created.get("Precedence"), created.get("RoleArn")) == (group, 1, role_arn), created)
    client.admin_add_user_to_group(UserPoolId=POOL_ID, Username=email, GroupName=group)

    def sign_in(pw):
        return client.initiate_auth(
            ClientId=CLIENT_ID,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": pw, "SECRET_HASH": get_secret_hash(email)},
        )

    challenge = sign_in(temporary)
    params = challenge.get("ChallengeParameters", {})
    check("initiate_auth with the temporary password answers NEW_PASSWORD_REQUIRED",
          challenge.get("ChallengeName") == "NEW_PASSWORD_REQUIRED" and "Session" in challenge and "AuthenticationResult" not in challenge, challenge)
    check("NEW_PASSWORD_REQUIRED: USER_ID_FOR_SRP is the username", params.get("USER_ID_FOR_SRP") == username, params)
    try:
        required, user_attributes = json.loads(params["requiredAttributes"]), json.loads(params["userAttributes"])
    except (KeyError, TypeError, ValueError):
        required, user_attributes = None, None
    # The pool's one required attribute (email) has a value, so nothing is left to supply.
    check("NEW_PASSWORD_REQUIRED: requiredAttributes is a JSON list, empty here", required == [], params)
    check("NEW_PASSWORD_REQUIRED: userAttributes is a JSON object with the e-mail and no sub",
          isinstance(user_attributes, dict) and user_attributes.get("email") == email and "sub" not in user_attributes, params)
    answered = client.respond_to_auth_challenge(
        ClientId=CLIENT_ID,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": permanent, "SECRET_HASH": get_secret_hash(email)},
    )
    tokens = answered.get("AuthenticationResult", {})
    check("respond_to_auth_challenge NEW_PASSWORD returns tokens",
          all(k in tokens for k in ("IdToken", "AccessToken", "RefreshToken")), answered)
    got = client.admin_get_user(UserPoolId=POOL_ID, Username=email)
    check("admin_get_user after the new password shows CONFIRMED", got.get("UserStatus") == "CONFIRMED", got)

    # The group's claims, as aws-jwt-verify reads them from tokens it verified against the pool's JWKS.
    if os.environ.get("ACIJ_DIR"):
        jwks = f"{ENDPOINT}/{POOL_ID}/.well-known/jwks.json"
        verified = run_node("verify_jwt.js", jwks, POOL_ID, CLIENT_ID, tokens["IdToken"], tokens["AccessToken"])
        id_claims, access_claims = verified.get("id", {}), verified.get("access", {})
        check("aws-jwt-verify accepts both tokens", "error" not in verified and id_claims.get("token_use") == "id" and access_claims.get("token_use") == "access", verified)
        check("aws-jwt-verify: the ID token's cognito:groups is [the group]", id_claims.get("cognito:groups") == [group], verified)
        check("aws-jwt-verify: the access token's cognito:groups is [the group]", access_claims.get("cognito:groups") == [group], verified)
        check("aws-jwt-verify: the ID token's cognito:preferred_role is the group's role", id_claims.get("cognito:preferred_role") == role_arn, verified)
        check("aws-jwt-verify: the ID token's cognito:roles is a list with the group's role", id_claims.get("cognito:roles") == [role_arn], verified)
        check("aws-jwt-verify: the access token carries no role claims",
              "error" not in verified and "cognito:roles" not in access_claims and "cognito:preferred_role" not in access_claims, verified)
    else:
        print("SKIP aws-jwt-verify: not installed (run through run_walkthrough.sh)")

    # TOTP: associated and verified by the user, then turned on by the tutorial's QR_init admin call.
    access = tokens["AccessToken"]
    authenticator = pyotp.TOTP(client.associate_software_token(AccessToken=access)["SecretCode"])
    verified = client.verify_software_token(AccessToken=access, UserCode=authenticator.now())
    check("verify_software_token for the admin-created user", verified.get("Status") == "SUCCESS", verified)
    client.admin_set_user_mfa_preference(SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}, Username=email, UserPoolId=POOL_ID)
    got = client.admin_get_user(UserPoolId=POOL_ID, Username=email)
    check("admin_set_user_mfa_preference: admin_get_user lists and prefers the token",
          got.get("UserMFASettingList") == ["SOFTWARE_TOKEN_MFA"] and got.get("PreferredMfaSetting") == "SOFTWARE_TOKEN_MFA", got)

    # The default client does not allow ADMIN_USER_PASSWORD_AUTH: a second client for the admin flows.
    admin_app = client.create_user_pool_client(
        UserPoolId=POOL_ID, ClientName="admin-flows", GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    challenge = client.admin_initiate_auth(
        UserPoolId=POOL_ID, ClientId=admin_app, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": permanent},
    )
    check("admin_initiate_auth ADMIN_USER_PASSWORD_AUTH asks for the TOTP code",
          challenge.get("ChallengeName") == "SOFTWARE_TOKEN_MFA" and "Session" in challenge and "AuthenticationResult" not in challenge, challenge)
    # USER_PASSWORD_AUTH belongs to InitiateAuth only. Asked of the default client, which allows that
    # flow, so the only thing wrong is the operation.
    expect_error(
        "admin_initiate_auth with USER_PASSWORD_AUTH",
        "InvalidParameterException",
        lambda: client.admin_initiate_auth(
            UserPoolId=POOL_ID, ClientId=CLIENT_ID, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": permanent, "SECRET_HASH": get_secret_hash(email)},
        ),
        "Initiate Auth method not supported.",
    )

    found = client.list_users(UserPoolId=POOL_ID, Filter=f'email = "{email}"').get("Users", [])
    check("list_users with an e-mail filter finds exactly that user", [u.get("Username") for u in found] == [username], found)
    expect_error("list_users with a malformed filter", "InvalidParameterException",
                 lambda: client.list_users(UserPoolId=POOL_ID, Filter="foo"), "Error while parsing filter.")

    # The same look-ups with the AWS CLI.
    out, err = aws_cli("admin-get-user", "--user-pool-id", POOL_ID, "--username", email)
    check("aws cognito-idp admin-get-user", isinstance(out, dict) and out.get("Username") == username and out.get("UserStatus") == "CONFIRMED", out or err)
    out, err = aws_cli("list-users", "--user-pool-id", POOL_ID, "--filter", f'email = "{email}"')
    users = out.get("Users") if isinstance(out, dict) else None
    check("aws cognito-idp list-users --filter", isinstance(users, list) and len(users) == 1 and users[0].get("Username") == username, out or err)

    client.admin_disable_user(UserPoolId=POOL_ID, Username=email)
    check("admin_disable_user: admin_get_user shows Enabled false", client.admin_get_user(UserPoolId=POOL_ID, Username=email).get("Enabled") is False)
    expect_error("initiate_auth for a disabled user", "NotAuthorizedException", lambda: sign_in(permanent), "User is disabled.")

    client.admin_delete_user(UserPoolId=POOL_ID, Username=email)
    expect_error("admin_get_user after admin_delete_user", "UserNotFoundException",
                 lambda: client.admin_get_user(UserPoolId=POOL_ID, Username=email), "User does not exist.")


def emulator_clock():
    """The emulator's time (GET /_emulator/clock), in epoch seconds."""
    with urllib.request.urlopen(f"{ENDPOINT}/_emulator/clock") as r:
        return float(json.load(r)["now"])


def advance_clock(seconds):
    """Moves the emulator's clock forward (POST /_emulator/clock)."""
    body = json.dumps({"advance_seconds": seconds}).encode()
    request = urllib.request.Request(f"{ENDPOINT}/_emulator/clock", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as r:
        r.read()


def aws_cli_env_only(*args):
    """Runs `aws ARGS` with nothing but the banner's AWS_ENDPOINT_URL, AWS_DEFAULT_REGION and the
    test / test pair in the environment (no --endpoint-url, no --region, and a HOME without
    ~/.aws); returns (exit status, parsed JSON output or None, what it printed)."""
    exe = os.path.join(os.path.dirname(sys.executable), "aws")
    if not os.path.exists(exe):
        return None, None, f"no AWS CLI at {exe} (install requirements.txt)"
    with tempfile.TemporaryDirectory() as home:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
            "AWS_DEFAULT_REGION": os.environ["AWS_DEFAULT_REGION"],
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
        }
        done = subprocess.run([exe, *args, "--output", "json"], capture_output=True, text=True, timeout=120, env=env)
    try:
        return done.returncode, json.loads(done.stdout), done.stderr
    except ValueError:
        return done.returncode, None, (done.stderr or done.stdout)[-500:]


def tampered(token):
    """The token with four characters in its middle changed."""
    mid = len(token) // 2
    swapped = "".join("B" if c == "A" else "A" for c in token[mid:mid + 4])
    return token[:mid] + swapped + token[mid + 4:]


def tutorial_admin_path():
    """The tutorial backend's start-up: STS GetSessionToken with the root pair, then a cognito-idp
    client signed with the session credentials for the admin calls. Every client here finds the
    emulator through AWS_ENDPOINT_URL alone (no endpoint_url). Expected values: the emulator's
    SigV4/STS facts (root account 123456789012, root sessions capped to 3600 s, ...). Ends by
    moving the emulator's clock forward, so it must run last."""
    sts = boto3.client("sts", aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET, region_name=REGION)
    creds = sts.get_session_token()["Credentials"]
    now = emulator_clock()
    check("get_session_token with the root pair returns an ASIA access key",
          creds["AccessKeyId"].startswith("ASIA") and creds.get("SecretAccessKey") and creds.get("SessionToken"), creds)
    expiration = creds.get("Expiration")
    lifetime = expiration.timestamp() - now if isinstance(expiration, datetime.datetime) else None
    check("get_session_token for root: Expiration is a datetime about an hour after the emulator's now",
          lifetime is not None and abs(lifetime - 3600) <= 300, f"Expiration {expiration!r}, emulator now {now}, lifetime {lifetime}")

    def idp(access_key, secret, token=None):
        return boto3.client("cognito-idp", aws_access_key_id=access_key, aws_secret_access_key=secret,
                            aws_session_token=token, region_name=REGION)

    admin = idp(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    email = f"backend-{uuid.uuid4().hex[:8]}@example.com"
    try:
        admin.admin_create_user(UserPoolId=POOL_ID, Username=email, MessageAction="SUPPRESS",
                                UserAttributes=[{"Name": "email", "Value": email}])
        got = admin.admin_get_user(UserPoolId=POOL_ID, Username=email)
        attributes = {a["Name"]: a["Value"] for a in got.get("UserAttributes", [])}
        check("admin_create_user and admin_get_user with the session credentials",
              attributes.get("email") == email and got.get("UserStatus") == "FORCE_CHANGE_PASSWORD", got)
        found = admin.list_users(UserPoolId=POOL_ID, Filter=f'email = "{email}"').get("Users", [])
        check("list_users with the session credentials", [u.get("Username") for u in found] == [got.get("Username")], found)
        admin.admin_delete_user(UserPoolId=POOL_ID, Username=email)
    except ClientError as e:
        check("admin calls with the session credentials", False, e.response.get("Error"))

    identity = sts.get_caller_identity()
    check("get_caller_identity with the root pair names the account root",
          identity.get("Arn") == f"arn:aws:iam::{ACCOUNT}:root" and identity.get("Account") == ACCOUNT, identity)

    session_sts = boto3.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                               aws_session_token=creds["SessionToken"], region_name=REGION)
    expect_error("get_session_token with session credentials", "AccessDenied",
                 lambda: session_sts.get_session_token(), "Cannot call GetSessionToken with session credentials")

    expect_error(
        "cognito-idp signed with the right key and a wrong secret", "InvalidSignatureException",
        lambda: idp(ROOT_KEY, ROOT_SECRET + "-wrong").list_users(UserPoolId=POOL_ID),
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key "
        "and signing method. Consult the service documentation for details.",
    )
    wrong_sts = boto3.client("sts", aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET + "-wrong", region_name=REGION)
    expect_error("sts signed with a wrong secret", "SignatureDoesNotMatch", lambda: wrong_sts.get_caller_identity())
    expect_error("cognito-idp signed with an unknown key (strict credentials)", "UnrecognizedClientException",
                 lambda: idp("AKIAUNKNOWNWALK00001", "some-secret").list_users(UserPoolId=POOL_ID))
    expect_error(
        "cognito-idp with the session credentials and a tampered session token", "UnrecognizedClientException",
        lambda: idp(creds["AccessKeyId"], creds["SecretAccessKey"], tampered(creds["SessionToken"])).list_users(UserPoolId=POOL_ID),
        "The security token included in the request is invalid.",
    )

    role_arn = f"arn:aws:iam::{ACCOUNT}:role/CognitoAdmin"
    user_sts = boto3.client("sts", aws_access_key_id=IAM_USER_KEY, aws_secret_access_key=IAM_USER_SECRET, region_name=REGION)
    try:
        assumed = user_sts.assume_role(RoleArn=role_arn, RoleSessionName="walkthrough")["Credentials"]
        role_sts = boto3.client("sts", aws_access_key_id=assumed["AccessKeyId"], aws_secret_access_key=assumed["SecretAccessKey"],
                                aws_session_token=assumed["SessionToken"], region_name=REGION)
        identity = role_sts.get_caller_identity()
        check("assume_role by an IAM user: get_caller_identity names the assumed role",
              identity.get("Arn") == f"arn:aws:sts::{ACCOUNT}:assumed-role/CognitoAdmin/walkthrough" and identity.get("Account") == ACCOUNT,
              identity)
    except ClientError as e:
        check("assume_role by an IAM user: get_caller_identity names the assumed role", False, e.response.get("Error"))
    expect_error("assume_role with the root pair", "AccessDenied",
                 lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="walkthrough"),
                 "Roles may not be assumed by root accounts.")

    # The AWS CLI, configured by the environment alone.
    code, out, err = aws_cli_env_only("sts", "get-caller-identity")
    check("aws sts get-caller-identity (environment only)",
          code == 0 and isinstance(out, dict) and out.get("Arn") == f"arn:aws:iam::{ACCOUNT}:root", f"exit {code}: {out or err}")
    code, out, err = aws_cli_env_only("sts", "get-session-token")
    key = out.get("Credentials", {}).get("AccessKeyId", "") if isinstance(out, dict) else ""
    check("aws sts get-session-token (environment only)", code == 0 and key.startswith("ASIA"), f"exit {code}: {out or err}")

    # Expiry, on the emulator's clock: this moves it, so nothing may follow that needs a fresh code or token.
    short = sts.get_session_token(DurationSeconds=900)["Credentials"]
    short_admin = idp(short["AccessKeyId"], short["SecretAccessKey"], short["SessionToken"])
    try:
        short_admin.list_users(UserPoolId=POOL_ID, Limit=1)
        check("a 900-second session works before it expires", True)
    except ClientError as e:
        check("a 900-second session works before it expires", False, e.response.get("Error"))
    advance_clock(901)
    expect_error("cognito-idp with session credentials past their expiry", "ExpiredTokenException",
                 lambda: short_admin.list_users(UserPoolId=POOL_ID, Limit=1),
                 "The security token included in the request is expired")
    short_sts = boto3.client("sts", aws_access_key_id=short["AccessKeyId"], aws_secret_access_key=short["SecretAccessKey"],
                             aws_session_token=short["SessionToken"], region_name=REGION)
    expect_error("sts with session credentials past their expiry", "ExpiredToken", lambda: short_sts.get_caller_identity())


def main():
    client = boto3.client("cognito-idp", region_name=REGION, endpoint_url=ENDPOINT)
    manage_pools(client)
    email = f"walkthrough-{uuid.uuid4().hex[:8]}@example.com"
    password, new_password = "Passw0rd!", "N3w-Passw0rd!"

    expect_error(
        "sign_up with a wrong SecretHash",
        "NotAuthorizedException",
        lambda: client.sign_up(ClientId=CLIENT_ID, SecretHash=get_secret_hash("x" + email), Username=email, Password=password),
        f"Unable to verify secret hash for client {CLIENT_ID}",
    )
    expect_error(
        "sign_up without a SecretHash",
        "NotAuthorizedException",
        lambda: client.sign_up(ClientId=CLIENT_ID, Username=email, Password=password),
        f"Client {CLIENT_ID} is configured with secret but SECRET_HASH was not received",
    )
    resp = client.sign_up(
        ClientId=CLIENT_ID,
        SecretHash=get_secret_hash(email),
        Username=email,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    check("sign_up answers UserConfirmed False", resp["UserConfirmed"] is False)
    check("sign_up masks the destination", resp["CodeDeliveryDetails"]["Destination"] == "w***@e***", resp.get("CodeDeliveryDetails"))

    code = outbox_code(email)
    wrong = "000000" if code != "000000" else "111111"
    expect_error(
        "confirm_sign_up with a wrong code",
        "CodeMismatchException",
        lambda: client.confirm_sign_up(ClientId=CLIENT_ID, SecretHash=get_secret_hash(email), Username=email, ConfirmationCode=wrong),
        "Invalid verification code provided, please try again.",
    )
    client.confirm_sign_up(ClientId=CLIENT_ID, SecretHash=get_secret_hash(email), Username=email, ConfirmationCode=code)
    check("confirm_sign_up with the emailed code", True)

    def sign_in(pw):
        return client.initiate_auth(
            ClientId=CLIENT_ID,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": pw, "SECRET_HASH": get_secret_hash(email)},
        )

    expect_error("initiate_auth with a wrong password", "NotAuthorizedException", lambda: sign_in("Wr0ng-pass!"), "Incorrect username or password.")
    auth = sign_in(password)
    result = auth["AuthenticationResult"]
    check("initiate_auth returns Bearer tokens", result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600)
    check("initiate_auth returns empty ChallengeParameters", auth.get("ChallengeParameters") == {})

    access = result["AccessToken"]
    header, payload, signature = access.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["username"] = "someone-else"
    edited = header + "." + base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=") + "." + signature
    expect_error("get_user with an edited token", "NotAuthorizedException", lambda: client.get_user(AccessToken=edited), "Invalid Access Token")

    client.change_password(PreviousPassword=password, ProposedPassword=new_password, AccessToken=access)
    check("change_password", True)
    expect_error("initiate_auth with the old password", "NotAuthorizedException", lambda: sign_in(password))
    result = sign_in(new_password)["AuthenticationResult"]
    check("initiate_auth with the new password", "AccessToken" in result)

    def srp(pw):
        return AWSSRP(username=email, password=pw, pool_id=POOL_ID, client_id=CLIENT_ID,
                      client_secret=CLIENT_SECRET, client=client).authenticate_user()

    srp_result = srp(new_password)["AuthenticationResult"]
    check("pycognito USER_SRP_AUTH signs in", client.get_user(AccessToken=srp_result["AccessToken"])["Username"] != email)
    expect_error("pycognito USER_SRP_AUTH with a wrong password", "NotAuthorizedException", lambda: srp("wrong-password-1"), "Incorrect username or password.")

    user = client.get_user(AccessToken=result["AccessToken"])
    refreshed = client.initiate_auth(
        ClientId=CLIENT_ID,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"], "SECRET_HASH": get_secret_hash(user["Username"])},
    )["AuthenticationResult"]
    check("refresh returns new tokens and no refresh token", "AccessToken" in refreshed and "RefreshToken" not in refreshed)

    client.global_sign_out(AccessToken=refreshed["AccessToken"])
    expect_error("get_user with a revoked token", "NotAuthorizedException", lambda: client.get_user(AccessToken=refreshed["AccessToken"]), "Access Token has been revoked")

    # The tutorial's QR_init / QR_TOTP: a TOTP authenticator (pyotp stands in for the app).
    access = sign_in(new_password)["AuthenticationResult"]["AccessToken"]
    secret = client.associate_software_token(AccessToken=access)["SecretCode"]
    check("associate_software_token returns a base32 secret", len(secret) >= 16 and secret.isalnum() and secret.upper() == secret)
    authenticator = pyotp.TOTP(secret)
    expect_error("verify_software_token with a wrong code", "EnableSoftwareTokenMFAException",
                 lambda: client.verify_software_token(AccessToken=access, UserCode=str((int(authenticator.now()) + 1) % 1000000).zfill(6)),
                 "Code mismatch and fail enable Software Token MFA")
    verified = client.verify_software_token(AccessToken=access, UserCode=authenticator.now(), FriendlyDeviceName="walkthrough")
    check("verify_software_token with the app's code", verified["Status"] == "SUCCESS")
    client.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    check("set_user_mfa_preference lists the token", client.get_user(AccessToken=access).get("UserMFASettingList") == ["SOFTWARE_TOKEN_MFA"])
    challenge = sign_in(new_password)
    check("initiate_auth asks for the TOTP code", challenge.get("ChallengeName") == "SOFTWARE_TOKEN_MFA" and "Session" in challenge)
    answered = client.respond_to_auth_challenge(
        ClientId=CLIENT_ID,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": authenticator.now(), "SECRET_HASH": get_secret_hash(email)},
    )
    result = answered["AuthenticationResult"]
    check("respond_to_auth_challenge with the app's code returns tokens", "AccessToken" in result)

    client.delete_user(AccessToken=result["AccessToken"])
    check("delete_user", True)
    # The tutorial's pool hides user existence (PreventUserExistenceErrors ENABLED, the console default).
    expect_error("initiate_auth after delete_user", "NotAuthorizedException", lambda: sign_in(new_password), "Incorrect username or password.")

    amazon_cognito_identity_js(client)
    admin_users(client)
    tutorial_admin_path()

    print(f"{checks['passed']} passed, {checks['failed']} failed")
    return 1 if checks["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
