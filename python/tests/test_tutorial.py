"""The tutorial's flows through boto3, as its readers would test them with this wheel's fixtures.

Expected errors and texts are Cognito's (AWS documentation, the project's reference wire
facts), not the emulator's own output.
"""

import time
import uuid

import boto3
import pyotp
import pytest
from botocore.exceptions import ClientError

from cognito_emulator import ACCESS_KEY_ID, SECRET_ACCESS_KEY, CognitoEmulator


def unique_user():
    return f"reader-{uuid.uuid4().hex[:8]}@example.com"


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def signed_up(pool, idp, user, password="correct-horse"):
    """Sign-up with SECRET_HASH, the code from the outbox, confirmation."""
    idp.sign_up(ClientId=pool.client_id, Username=user, Password=password, SecretHash=pool.secret_hash(user),
                UserAttributes=[{"Name": "email", "Value": user}])
    code = pool.codes(user=user)[-1]
    idp.confirm_sign_up(ClientId=pool.client_id, Username=user, ConfirmationCode=code, SecretHash=pool.secret_hash(user))


def sign_in(pool, idp, user, password="correct-horse"):
    return idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user, "PASSWORD": password, "SECRET_HASH": pool.secret_hash(user)},
    )


def test_the_session_emulator_has_the_default_pool(cognito_emulator):
    assert cognito_emulator.endpoint_url.startswith("http://127.0.0.1:")
    assert cognito_emulator.pool_id.startswith(cognito_emulator.region + "_")
    idp = cognito_emulator.client("cognito-idp")
    described = idp.describe_user_pool_client(UserPoolId=cognito_emulator.pool_id, ClientId=cognito_emulator.client_id)
    assert described["UserPoolClient"]["ClientSecret"] == cognito_emulator.client_secret


def test_a_test_pool_has_the_default_pools_settings(cognito_emulator, cognito_pool):
    idp = cognito_pool.client("cognito-idp")
    default = idp.describe_user_pool(UserPoolId=cognito_emulator.pool_id)["UserPool"]
    fresh = idp.describe_user_pool(UserPoolId=cognito_pool.pool_id)["UserPool"]
    for key in ("UsernameAttributes", "AutoVerifiedAttributes", "UsernameConfiguration", "Policies",
                "AccountRecoverySetting", "MfaConfiguration"):
        assert fresh[key] == default[key], key
    assert cognito_pool.pool_id != cognito_emulator.pool_id


def test_sign_up_confirm_sign_in_change_password_and_delete(cognito_pool):
    idp = cognito_pool.client("cognito-idp")
    user = unique_user()
    signed_up(cognito_pool, idp, user)
    tokens = sign_in(cognito_pool, idp, user)["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer" and tokens["ExpiresIn"] == 3600

    idp.change_password(PreviousPassword="correct-horse", ProposedPassword="battery-staple", AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as refused:
        sign_in(cognito_pool, idp, user)
    assert error_of(refused) == ("NotAuthorizedException", "Incorrect username or password.")
    tokens = sign_in(cognito_pool, idp, user, "battery-staple")["AuthenticationResult"]

    idp.delete_user(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as gone:
        sign_in(cognito_pool, idp, user, "battery-staple")
    # PreventUserExistenceErrors: an unknown user reads as a wrong password.
    assert error_of(gone) == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_wrong_secret_hash_is_refused(cognito_pool):
    idp = cognito_pool.client("cognito-idp")
    user = unique_user()
    with pytest.raises(ClientError) as refused:
        idp.sign_up(ClientId=cognito_pool.client_id, Username=user, Password="correct-horse",
                    SecretHash=cognito_pool.secret_hash("someone-else@example.com"))
    code, message = error_of(refused)
    # Both of AWS's recorded texts (wire facts §4).
    assert code == "NotAuthorizedException"
    assert message in (
        f"Unable to verify secret hash for client {cognito_pool.client_id}",
        f"SecretHash does not match for the client: {cognito_pool.client_id}",
    ), message


def test_totp_mfa_with_admin_calls_on_sts_session_credentials(cognito_pool, cognito_emulator):
    """The tutorial's admin path: GetSessionToken with the root keys, then admin calls signed
    with the session credentials."""
    idp = cognito_pool.client("cognito-idp")
    user = unique_user()
    signed_up(cognito_pool, idp, user)
    access = sign_in(cognito_pool, idp, user)["AuthenticationResult"]["AccessToken"]

    secret = idp.associate_software_token(AccessToken=access)["SecretCode"]
    totp = pyotp.TOTP(secret)
    assert idp.verify_software_token(AccessToken=access, UserCode=totp.now())["Status"] == "SUCCESS"

    sts = boto3.client("sts", endpoint_url=cognito_emulator.endpoint_url, region_name=cognito_emulator.region,
                       aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY)
    session = sts.get_session_token()["Credentials"]
    assert session["AccessKeyId"].startswith("ASIA")
    admin = boto3.client("cognito-idp", endpoint_url=cognito_emulator.endpoint_url, region_name=cognito_emulator.region,
                         aws_access_key_id=session["AccessKeyId"], aws_secret_access_key=session["SecretAccessKey"],
                         aws_session_token=session["SessionToken"])
    admin.admin_set_user_mfa_preference(UserPoolId=cognito_pool.pool_id, Username=user,
                                        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert admin.admin_get_user(UserPoolId=cognito_pool.pool_id, Username=user)["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    challenge = sign_in(cognito_pool, idp, user)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    username = challenge["ChallengeParameters"]["USER_ID_FOR_SRP"]
    # A fresh code: the one used to verify may not be accepted twice.
    code = totp.at(time.time() + 30)
    answered = idp.respond_to_auth_challenge(
        ClientId=cognito_pool.client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code,
                            "SECRET_HASH": cognito_pool.secret_hash(username)},
    )
    assert "AccessToken" in answered["AuthenticationResult"]


def test_a_wrong_secret_key_is_refused_as_aws_refuses_it(cognito_pool, cognito_emulator):
    forged = cognito_emulator.client("cognito-idp", aws_secret_access_key="not-the-secret")
    with pytest.raises(ClientError) as refused:
        forged.admin_get_user(UserPoolId=cognito_pool.pool_id, Username="nobody@example.com")
    assert error_of(refused)[0] == "InvalidSignatureException"


def test_access_tokens_expire_after_an_hour_on_the_emulators_clock(cognito_pool, cognito_emulator):
    idp = cognito_pool.client("cognito-idp")
    user = unique_user()
    signed_up(cognito_pool, idp, user)
    access = sign_in(cognito_pool, idp, user)["AuthenticationResult"]["AccessToken"]
    assert idp.get_user(AccessToken=access)["Username"]

    before = cognito_emulator.now()
    after = cognito_emulator.advance_clock(3601)
    assert after - before >= 3601
    with pytest.raises(ClientError) as expired:
        idp.get_user(AccessToken=access)
    assert error_of(expired) == ("NotAuthorizedException", "Access Token has expired")


def test_each_test_gets_its_own_pool(cognito_pool, cognito_emulator):
    idp = cognito_pool.client("cognito-idp")
    user = unique_user()
    signed_up(cognito_pool, idp, user)
    other = cognito_emulator.create_pool()
    try:
        with pytest.raises(ClientError) as missing:
            idp.admin_get_user(UserPoolId=other.pool_id, Username=user)
        assert error_of(missing) == ("UserNotFoundException", "User does not exist.")
    finally:
        other.delete()
    with pytest.raises(ClientError) as deleted:
        idp.describe_user_pool(UserPoolId=other.pool_id)
    assert error_of(deleted)[0] == "ResourceNotFoundException"


def test_the_emulator_can_start_strict_and_empty():
    with CognitoEmulator(strict_credentials=True, empty=True) as emulator:
        assert emulator.pool_id is None
        stranger = emulator.client("cognito-idp", aws_access_key_id="AKIASTRANGER0000", aws_secret_access_key="x")
        with pytest.raises(ClientError) as refused:
            stranger.list_user_pools(MaxResults=10)
        assert error_of(refused)[0] == "UnrecognizedClientException"
        assert emulator.client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []
    # Stopped with its own process.
    assert emulator._process is None


def test_a_data_dir_keeps_the_pool_and_its_users_across_starts(tmp_path):
    state = tmp_path / "state"
    user = unique_user()
    with CognitoEmulator(data_dir=state) as first:
        pool = first.create_pool()
        idp = first.client("cognito-idp")
        signed_up(pool, idp, user)
        tokens = sign_in(pool, idp, user)["AuthenticationResult"]
        default_pool = first.pool_id
    with CognitoEmulator(data_dir=state) as second:
        # The default pool is the one seeded at the first start, not a new one.
        assert second.pool_id == default_pool
        idp = second.client("cognito-idp")
        assert idp.admin_get_user(UserPoolId=pool.pool_id, Username=user)["UserStatus"] == "CONFIRMED"
        # The access token issued before the restart still verifies.
        attributes = idp.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"]
        assert {"Name": "email", "Value": user} in attributes
        sign_in(pool, idp, user)
