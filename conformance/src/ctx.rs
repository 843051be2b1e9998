//! One scenario's view of the target: unique names, the pools it created (deleted by `cleanup`
//! whatever happened), and the steps scenarios share. Helpers assert only what they need to go on;
//! what a scenario is about it asserts itself.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::builders::InitiateAuthFluentBuilder;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{
    InitiateAuthError, InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::operation::sign_up::SignUpOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, DeletionProtectionType, ExplicitAuthFlowsType,
    UsernameAttributeType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;
use base64::Engine;
use emulator::crypto::srp::client::{timestamp, PasswordVerifier, SrpClient};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::check::{fail, present, Call, Step, Stop};
use crate::jwt::{self, Expected, Jwk, TokenUse};
use crate::target::Target;

/// A password that satisfies Cognito's default policy (8+ characters, upper, lower, digit, symbol).
pub const PASSWORD: &str = "Corr3ct-Horse!";
/// Another one, for changes and resets.
pub const NEW_PASSWORD: &str = "Batt3ry-Staple!";

/// What `InitiateAuth` returns through the SDK.
pub type AuthResult = Result<InitiateAuthOutput, SdkError<InitiateAuthError>>;
pub type RespondResult =
    Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>>;

/// One scenario's handle on the target. Cheap to clone; clones share the cleanup list.
#[derive(Clone)]
pub struct Ctx(Arc<Inner>);

struct Inner {
    target: Arc<Target>,
    scenario: &'static str,
    /// Random per scenario run, in every name it makes, so runs never collide.
    tag: String,
    counter: AtomicU32,
    pools: Mutex<Vec<String>>,
    /// This scenario's share of the target's time (see `advance`).
    time_share: Mutex<Option<tokio::sync::OwnedRwLockReadGuard<()>>>,
}

/// An app client and what callers need to compute SECRET_HASH.
#[derive(Debug, Clone)]
pub struct AppClient {
    pub user_pool_id: String,
    pub id: String,
    pub secret: Option<String>,
}

impl AppClient {
    /// `Base64(HMAC_SHA256(secret, username + client_id))` (wire facts §4), when the client has a secret.
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.secret
            .as_ref()
            .map(|secret| secret_hash(secret, username, &self.id))
    }
}

/// SECRET_HASH as AWS documents it ("Computing secret hash values").
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes()).expect("any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A user a scenario made.
#[derive(Debug, Clone)]
pub struct User {
    /// What the user signs in with (the username, or the e-mail in e-mail pools).
    pub username: String,
    pub password: String,
    pub email: String,
    /// `UserSub` from SignUp.
    pub sub: String,
}

/// The tokens of one sign-in.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub id: String,
    pub refresh: Option<String>,
    pub expires_in: i32,
    pub token_type: Option<String>,
}

impl Ctx {
    pub fn new(target: Arc<Target>, scenario: &'static str) -> Ctx {
        let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
        Ctx(Arc::new(Inner {
            target,
            scenario,
            tag,
            counter: AtomicU32::new(0),
            pools: Mutex::new(Vec::new()),
            time_share: Mutex::new(None),
        }))
    }

    pub fn target(&self) -> &Target {
        &self.0.target
    }

    /// The SDK client.
    pub fn cognito(&self) -> &Client {
        self.0.target.cognito()
    }

    pub fn scenario(&self) -> &'static str {
        self.0.scenario
    }

    /// A name no other scenario or run uses: `{what}-{tag}-{n}`.
    pub fn unique(&self, what: &str) -> String {
        let n = self.0.counter.fetch_add(1, Ordering::SeqCst);
        format!("{what}-{}-{n}", self.0.tag)
    }

    /// A unique address at the SES mailbox simulator, so runs against AWS e-mail no one.
    pub fn email(&self) -> String {
        let n = self.0.counter.fetch_add(1, Ordering::SeqCst);
        format!("success+{}{n}@simulator.amazonses.com", self.0.tag)
    }

    /// Pools created so far by this scenario.
    pub fn pools(&self) -> Vec<String> {
        self.0.pools.lock().expect("not poisoned").clone()
    }

    /// Creates a pool named after the scenario, configured by `configure`, and registers it for cleanup.
    pub async fn create_pool(
        &self,
        configure: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
    ) -> Step<String> {
        let name = self.unique(&format!(
            "conformance-{}",
            self.0.scenario.replace("::", "-")
        ));
        let builder = self.cognito().create_user_pool().pool_name(name);
        let output = configure(builder).send().await.op("CreateUserPool")?;
        let id = present(
            output.user_pool.and_then(|p| p.id),
            "CreateUserPool UserPool.Id",
        )?;
        self.0.pools.lock().expect("not poisoned").push(id.clone());
        Ok(id)
    }

    /// Registers a pool created outside `create_pool` (e.g. by a call expected to fail that did not).
    pub fn adopt_pool(&self, id: &str) {
        self.0
            .pools
            .lock()
            .expect("not poisoned")
            .push(id.to_owned());
    }

    /// A pool with usernames and Cognito's defaults; nothing is ever sent from it.
    pub async fn plain_pool(&self) -> Step<String> {
        self.create_pool(|b| b).await
    }

    /// A pool that e-mails confirmation codes (AutoVerifiedAttributes = email).
    pub async fn verifying_pool(&self) -> Step<String> {
        self.create_pool(|b| b.auto_verified_attributes(VerifiedAttributeType::Email))
            .await
    }

    /// A pool whose users sign in with their e-mail address, verified by code (the tutorial's setup).
    pub async fn email_pool(&self) -> Step<String> {
        self.create_pool(|b| {
            b.username_attributes(UsernameAttributeType::Email)
                .auto_verified_attributes(VerifiedAttributeType::Email)
        })
        .await
    }

    /// Creates an app client configured by `configure`.
    pub async fn create_client(
        &self,
        user_pool_id: &str,
        configure: impl FnOnce(CreateUserPoolClientFluentBuilder) -> CreateUserPoolClientFluentBuilder,
    ) -> Step<AppClient> {
        let builder = self
            .cognito()
            .create_user_pool_client()
            .user_pool_id(user_pool_id)
            .client_name(self.unique("client"));
        let output = configure(builder).send().await.op("CreateUserPoolClient")?;
        let client = present(
            output.user_pool_client,
            "CreateUserPoolClient UserPoolClient",
        )?;
        Ok(AppClient {
            user_pool_id: user_pool_id.to_owned(),
            id: present(client.client_id, "UserPoolClient.ClientId")?,
            secret: client.client_secret,
        })
    }

    /// The tutorial's client: a secret, USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH.
    pub async fn password_client(&self, user_pool_id: &str) -> Step<AppClient> {
        self.create_client(user_pool_id, password_flows).await
    }

    /// `SignUp` with SECRET_HASH when the client has a secret, and an `email` attribute
    /// unless `username` is itself the address.
    pub async fn sign_up(
        &self,
        client: &AppClient,
        username: &str,
        password: &str,
        email: &str,
    ) -> Step<SignUpOutput> {
        let mut request = self
            .cognito()
            .sign_up()
            .client_id(&client.id)
            .set_secret_hash(client.secret_hash(username))
            .username(username)
            .password(password);
        if username != email {
            request = request.user_attributes(attribute("email", email));
        }
        request.send().await.op("SignUp")
    }

    /// A new user with a unique username and e-mail, signed up but not confirmed.
    pub async fn unconfirmed_user(&self, client: &AppClient) -> Step<User> {
        self.new_user(client, false).await
    }

    /// A new user with a unique username (or e-mail, in e-mail pools), confirmed by AdminConfirmSignUp:
    /// needs no code, so it works on every target. The e-mail stays unverified.
    pub async fn confirmed_user(&self, client: &AppClient, email_username: bool) -> Step<User> {
        let user = self.new_user(client, email_username).await?;
        self.cognito()
            .admin_confirm_sign_up()
            .user_pool_id(&client.user_pool_id)
            .username(&user.username)
            .send()
            .await
            .op("AdminConfirmSignUp")?;
        Ok(user)
    }

    async fn new_user(&self, client: &AppClient, email_username: bool) -> Step<User> {
        let email = self.email();
        let username = if email_username {
            email.clone()
        } else {
            self.unique("user")
        };
        let output = self.sign_up(client, &username, PASSWORD, &email).await?;
        Ok(User {
            username,
            password: PASSWORD.to_owned(),
            email,
            sub: output.user_sub,
        })
    }

    /// A user confirmed with the code e-mailed at sign-up, so the e-mail is verified
    /// (what ForgotPassword needs). `client` must belong to a pool that verifies e-mail. SKIP without codes.
    pub async fn verified_user(&self, client: &AppClient, email_username: bool) -> Step<User> {
        self.require_codes()?;
        let user = self.new_user(client, email_username).await?;
        let code = self
            .code(&client.user_pool_id, &user.email, "SIGN_UP")
            .await?;
        self.cognito()
            .confirm_sign_up()
            .client_id(&client.id)
            .set_secret_hash(client.secret_hash(&user.username))
            .username(&user.username)
            .confirmation_code(code)
            .send()
            .await
            .op("ConfirmSignUp")?;
        Ok(user)
    }

    /// The newest code sent to `user` (username or address) for `purpose`; SKIP without codes.
    pub async fn code(&self, user_pool_id: &str, user: &str, purpose: &str) -> Step<String> {
        let messages = self.target().messages(user_pool_id, user).await?;
        match messages.into_iter().rev().find(|m| m.purpose == purpose) {
            Some(message) => Ok(message.code),
            None => fail(format!("no {purpose} code was sent to {user}")),
        }
    }

    /// How many codes have been sent to `user` for `purpose` (0 without the capability: SKIP).
    pub async fn code_count(&self, user_pool_id: &str, user: &str, purpose: &str) -> Step<usize> {
        let messages = self.target().messages(user_pool_id, user).await?;
        Ok(messages.iter().filter(|m| m.purpose == purpose).count())
    }

    /// A code that is certainly not the one sent (when codes can be read), else one that almost certainly is not.
    pub async fn wrong_code(&self, user_pool_id: &str, user: &str, purpose: &str) -> String {
        let sent = match self.target().messages(user_pool_id, user).await {
            Ok(messages) => messages
                .into_iter()
                .rev()
                .find(|m| m.purpose == purpose)
                .map(|m| m.code),
            Err(_) => None,
        };
        if sent.as_deref() == Some("000000") {
            "111111".to_owned()
        } else {
            "000000".to_owned()
        }
    }

    /// USER_PASSWORD_AUTH, with SECRET_HASH when the client has a secret.
    pub async fn sign_in(
        &self,
        client: &AppClient,
        username: &str,
        password: &str,
    ) -> Step<Tokens> {
        let output = self
            .password_auth(client, username, password)
            .await
            .op("InitiateAuth USER_PASSWORD_AUTH")?;
        if let Some(challenge) = output.challenge_name {
            return fail(format!(
                "InitiateAuth answered a {challenge} challenge, expected tokens"
            ));
        }
        tokens(output.authentication_result)
    }

    /// USER_PASSWORD_AUTH, the raw result.
    pub async fn password_auth(
        &self,
        client: &AppClient,
        username: &str,
        password: &str,
    ) -> AuthResult {
        self.cognito()
            .initiate_auth()
            .client_id(&client.id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .with_secret_hash(client.secret_hash(username))
            .send()
            .await
    }

    /// InitiateAuth USER_SRP_AUTH for `username` with `srp`'s `A`, the raw result.
    pub async fn srp_auth(
        &self,
        client: &AppClient,
        username: &str,
        srp: &SrpClient,
    ) -> AuthResult {
        self.cognito()
            .initiate_auth()
            .client_id(&client.id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("SRP_A", srp.srp_a())
            .with_secret_hash(client.secret_hash(username))
            .send()
            .await
    }

    /// RespondToAuthChallenge PASSWORD_VERIFIER answering `challenge` (InitiateAuth's
    /// `ChallengeParameters`) with a proof of `password`, signed at the target's time, as
    /// pycognito 2024.5.1 does: `USERNAME` from the challenge, SECRET_HASH over the name the
    /// user signed in with (`signed_in_as`). The raw result.
    pub async fn srp_answer(
        &self,
        client: &AppClient,
        signed_in_as: &str,
        srp: &SrpClient,
        challenge: &HashMap<String, String>,
        password: &str,
    ) -> Step<RespondResult> {
        let param = |name: &str| {
            present(
                challenge.get(name).cloned(),
                &format!("ChallengeParameters.{name}"),
            )
        };
        let (salt, srp_b, secret_block) = (param("SALT")?, param("SRP_B")?, param("SECRET_BLOCK")?);
        let (user_id_for_srp, username) = (param("USER_ID_FOR_SRP")?, param("USERNAME")?);
        let when = timestamp(self.target().now_secs());
        let verifier = PasswordVerifier {
            salt: &salt,
            srp_b: &srp_b,
            secret_block: &secret_block,
            user_id_for_srp: &user_id_for_srp,
        };
        let Some(claim) = srp.password_claim(&client.user_pool_id, &verifier, password, &when)
        else {
            return fail("the PASSWORD_VERIFIER parameters are not usable SRP values (SALT/SRP_B not hex, B ≡ 0 mod N, or SECRET_BLOCK not base64)");
        };
        let mut request = self
            .cognito()
            .respond_to_auth_challenge()
            .client_id(&client.id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .challenge_responses("USERNAME", username)
            .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", secret_block.clone())
            .challenge_responses("PASSWORD_CLAIM_SIGNATURE", claim)
            .challenge_responses("TIMESTAMP", when);
        if let Some(hash) = client.secret_hash(signed_in_as) {
            request = request.challenge_responses("SECRET_HASH", hash);
        }
        Ok(request.send().await)
    }

    /// REFRESH_TOKEN_AUTH with SECRET_HASH over `hash_username` when the client has a secret, the raw result.
    pub async fn refresh(
        &self,
        client: &AppClient,
        refresh_token: &str,
        hash_username: &str,
    ) -> AuthResult {
        self.cognito()
            .initiate_auth()
            .client_id(&client.id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh_token)
            .with_secret_hash(client.secret_hash(hash_username))
            .send()
            .await
    }

    /// The pool's JWKS as a resource server fetches it.
    pub async fn jwks(&self, user_pool_id: &str) -> Step<Vec<Jwk>> {
        jwt::fetch_jwks(self.target(), user_pool_id).await
    }

    /// Verifies `token` as a resource server configured for `client` would; returns its claims.
    pub async fn verify_token(
        &self,
        client: &AppClient,
        token: &str,
        token_use: TokenUse,
    ) -> Step<serde_json::Map<String, serde_json::Value>> {
        let keys = self.jwks(&client.user_pool_id).await?;
        let issuer = self.target().expected_issuer(&client.user_pool_id);
        let expected = Expected {
            issuer: &issuer,
            token_use,
            client_id: &client.id,
            now: self.target().now_secs(),
        };
        jwt::verify(token, &keys, &expected).map_err(|reason| {
            let which = match token_use {
                TokenUse::Access => "access token",
                TokenUse::Id => "ID token",
            };
            Stop::Fail(format!("{which} does not verify: {reason}"))
        })
    }

    /// Joins the scenarios sharing the target's time, until `leave_time`. The runner calls
    /// both around each scenario.
    pub async fn share_time(&self) {
        let share = self.target().time_gate().clone().read_owned().await;
        *self.0.time_share.lock().expect("not poisoned") = Some(share);
    }

    pub fn leave_time(&self) {
        self.0.time_share.lock().expect("not poisoned").take();
    }

    /// Lets `by` pass on the target (see `Target::advance`). A moved clock moves for every
    /// scenario on the target, so this waits until the scenarios running beside this one are
    /// done, and keeps new ones from starting until the move is made: none of them sees its
    /// codes or tokens expire halfway.
    pub async fn advance(&self, by: Duration) -> Step {
        let target = self.target();
        if !target.moves_clock() {
            return target.advance(by).await;
        }
        target.check_time(by)?;
        self.leave_time();
        let alone = target.time_gate().clone().write_owned().await;
        let moved = target.advance(by).await;
        *self.0.time_share.lock().expect("not poisoned") = Some(alone.downgrade());
        moved
    }

    /// SKIP unless the target can let `by` pass; call before creating anything.
    pub fn require_time(&self, by: Duration) -> Step {
        self.target().check_time(by)
    }

    /// SKIP unless the target can show confirmation codes; call before creating anything.
    pub fn require_codes(&self) -> Step {
        if self.target().reads_codes() {
            Ok(())
        } else {
            Err(Stop::Skip(
                "needs a confirmation code, and this target offers no way to read one".to_owned(),
            ))
        }
    }

    /// Deletes every pool this scenario created, newest first, turning deletion protection off
    /// where it blocks. A pool already gone is fine. Returns what could not be deleted.
    pub async fn cleanup(&self) -> Result<(), String> {
        let pools: Vec<String> = std::mem::take(&mut *self.0.pools.lock().expect("not poisoned"));
        let mut left = Vec::new();
        for id in pools.into_iter().rev() {
            if let Err(reason) = self.delete_pool(&id).await {
                left.push(format!("{id} ({reason})"));
            }
        }
        if left.is_empty() {
            Ok(())
        } else {
            Err(format!("could not delete pool(s): {}", left.join(", ")))
        }
    }

    async fn delete_pool(&self, id: &str) -> Result<(), String> {
        let first = self
            .cognito()
            .delete_user_pool()
            .user_pool_id(id)
            .send()
            .await;
        let err = match first {
            Ok(_) => return Ok(()),
            Err(err) => err,
        };
        match err.code() {
            Some("ResourceNotFoundException") => return Ok(()),
            Some("InvalidParameterException") => {}
            _ => return Err(crate::check::describe(&err)),
        }
        // Deletion protection: turn it off, then delete.
        self.cognito()
            .update_user_pool()
            .user_pool_id(id)
            .deletion_protection(DeletionProtectionType::Inactive)
            .send()
            .await
            .map_err(|e| crate::check::describe(&e))?;
        self.cognito()
            .delete_user_pool()
            .user_pool_id(id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| crate::check::describe(&e))
    }
}

/// USER_SRP_AUTH and REFRESH_TOKEN_AUTH with a generated secret: what SRP clients use.
pub fn srp_flows(builder: CreateUserPoolClientFluentBuilder) -> CreateUserPoolClientFluentBuilder {
    builder
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
}

/// A fresh SRP client: `a` from 128 random bytes.
pub fn new_srp_client() -> SrpClient {
    let mut random = [0u8; 128];
    for chunk in random.chunks_mut(16) {
        chunk.copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    SrpClient::new(&random)
}

/// USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH with a generated secret: the tutorial's app client.
pub fn password_flows(
    builder: CreateUserPoolClientFluentBuilder,
) -> CreateUserPoolClientFluentBuilder {
    builder
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
}

/// `{Name, Value}`.
pub fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("name is set")
}

/// The tokens of an `AuthenticationResult`, which must carry an access and an ID token.
pub fn tokens(
    result: Option<aws_sdk_cognitoidentityprovider::types::AuthenticationResultType>,
) -> Step<Tokens> {
    let result = present(result, "AuthenticationResult")?;
    Ok(Tokens {
        access: present(result.access_token, "AuthenticationResult.AccessToken")?,
        id: present(result.id_token, "AuthenticationResult.IdToken")?,
        refresh: result.refresh_token,
        expires_in: result.expires_in,
        token_type: result.token_type,
    })
}

/// Adds `SECRET_HASH` to `AuthParameters` when there is one.
pub trait WithSecretHash {
    fn with_secret_hash(self, secret_hash: Option<String>) -> Self;
}

impl WithSecretHash for InitiateAuthFluentBuilder {
    fn with_secret_hash(self, secret_hash: Option<String>) -> Self {
        match secret_hash {
            Some(hash) => self.auth_parameters("SECRET_HASH", hash),
            None => self,
        }
    }
}
