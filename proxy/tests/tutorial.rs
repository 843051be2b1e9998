//! The tutorial's requests against the backend: the whole account sequence, every error
//! mapping of tutorial-backend.md, bad bodies, cookies, CORS. Expected statuses and texts come
//! from that contract, not from the backend's output.
//!
//! By default the backend embeds an emulator in process. With `PROXY_TEST_COGNITO_ENDPOINT`
//! set (CI sets it to a release `cognito-emulator --strict-credentials` and exports its
//! banner's variables), the same tests run through `--cognito-endpoint` against that server.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

struct Harness {
    started: proxy::Started,
    /// Where the emulator answers HTTP (its outbox).
    emulator_url: String,
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON: {}", self.text))
    }
    #[track_caller]
    fn is(&self, status: u16, text: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(self.text, text);
        assert_eq!(self.headers["content-type"], "text/plain; charset=UTF-8");
    }
    #[track_caller]
    fn ok(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        assert_eq!(
            self.headers["content-type"],
            "application/json; charset=UTF-8"
        );
        self.json()
    }
    /// The `Set-Cookie` lines.
    fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }
    /// `name=value` pairs to send back as a `Cookie` header.
    fn cookie_header(&self) -> String {
        self.cookies()
            .iter()
            .map(|c| c.split(';').next().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl Harness {
    async fn new() -> Harness {
        let mut config = proxy::Config::for_tests();
        if let Ok(endpoint) = std::env::var("PROXY_TEST_COGNITO_ENDPOINT") {
            let var = |name: &str| {
                Some(std::env::var(name).unwrap_or_else(|_| {
                    panic!("{name} must be set with PROXY_TEST_COGNITO_ENDPOINT")
                }))
            };
            config.cognito_endpoint = Some(endpoint);
            config.region = var("COGNITO_REGION_NAME");
            config.user_pool_id = var("COGNITO_USER_POOL_ID");
            config.client_id = var("COGNITO_USER_CLIENT_ID");
            config.client_secret = var("COGNITO_CLIENT_SECRET");
        }
        let started = proxy::start(&config).await.unwrap();
        let emulator_url = started.cognito_endpoint.clone().unwrap();
        Harness {
            started,
            emulator_url,
        }
    }

    async fn send(&self, request: Request<Body>) -> Answer {
        let response = proxy::app(self.started.backend.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            text: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn post(&self, body: Value) -> Answer {
        self.post_with(body, None).await
    }

    async fn post_with(&self, body: Value, cookie: Option<&str>) -> Answer {
        let mut request = Request::post("/")
            .header("host", "localhost:3006")
            .header("content-type", "application/json");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// The codes the emulator "sent" to `user`, oldest first (`GET /_emulator/outbox`).
    async fn codes(&self, user: &str) -> Vec<String> {
        let url = format!("{}/_emulator/outbox", self.emulator_url);
        let outbox: Value = reqwest::Client::new()
            .get(url)
            .query(&[
                ("pool", self.started.backend.cognito.user_pool_id.as_str()),
                ("user", user),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        outbox["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The last code the emulator "sent" to `user`.
    async fn code(&self, user: &str) -> String {
        self.codes(user).await.pop().expect("a code was sent")
    }

    async fn signed_up(&self, user: &str, pass: &str) -> String {
        self.post(json!({"env": "createAccount", "user": user, "pass": pass}))
            .await
            .ok();
        let code = self.code(user).await;
        let confirmed = self
            .post(json!({"env": "confirmAccount", "user": user, "pass": pass, "conf_code": code}))
            .await
            .ok();
        confirmed["access_token"].as_str().unwrap().to_owned()
    }
}

/// `local-RUN@example.com`, RUN the same through one test run: a second run against the
/// same emulator (endpoint mode) meets none of the first one's users.
fn unique(local: &str) -> String {
    static RUN: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    let run = RUN.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    });
    format!("{local}-{run}@example.com")
}

/// RFC 6238 code now, as an authenticator app computes it from the base32 secret.
fn totp(secret: &str) -> String {
    totp_at(secret, 0)
}

/// The code `ahead` seconds from now (the emulator's clock, once it has been moved).
fn totp_at(secret: &str, ahead: u64) -> String {
    let bytes = totp_rs::Secret::try_from_base32(secret)
        .unwrap()
        .as_bytes()
        .to_vec();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // SHA-1, 6 digits, 30 s: the builder's defaults, as authenticator apps compute.
    totp_rs::Builder::new()
        .with_secret(bytes)
        .build_noncompliant()
        .generate(now + ahead)
        .to_string()
}

#[tokio::test]
async fn the_tutorial_sequence_from_sign_up_to_deletion() {
    let h = Harness::new().await;
    let user = &unique("reader");

    assert_eq!(
        h.post(json!({"env": "createAccount", "user": user, "pass": "correct-horse"}))
            .await
            .ok(),
        json!({"message": "OK"})
    );
    h.post(json!({"env": "createAccount", "user": user, "pass": "correct-horse"}))
        .await
        .is(500, "Username Exists");
    h.post(json!({"env": "resendCode", "user": user}))
        .await
        .ok();
    assert_eq!(h.codes(user).await.len(), 2);

    let code = h.code(user).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    h.post(
        json!({"env": "confirmAccount", "user": user, "pass": "correct-horse", "conf_code": wrong}),
    )
    .await
    .is(404, "Code Mismatch");
    // Codes may be typed with a space; the tutorial removes it.
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    let confirmed = h
        .post(json!({"env": "confirmAccount", "user": user, "pass": "correct-horse", "conf_code": spaced}))
        .await;
    let body = confirmed.ok();
    assert_eq!(body["message"], "OK");
    let access = body["access_token"].as_str().unwrap().to_owned();
    let cookies = confirmed.cookies();
    assert!(
        cookies.iter().any(|c| c.starts_with("refresh_token=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Lax")),
        "{cookies:?}"
    );
    assert!(
        cookies.iter().any(|c| c.starts_with("refresh_user=")),
        "{cookies:?}"
    );

    h.post(json!({"env": "signIn", "user": user, "pass": "wrong-horse"}))
        .await
        .is(401, "Unauthenticated");
    h.post(json!({"env": "signIn", "user": user, "pass": "correct-horse"}))
        .await
        .ok();

    h.post(json!({"env": "changePass", "old_pass": "wrong-horse", "new_pass": "battery-staple", "access_token": access}))
        .await
        .is(404, "an error occured check the output from the backend");
    h.post(json!({"env": "changePass", "old_pass": "correct-horse", "new_pass": "battery-staple", "access_token": access}))
        .await
        .ok();
    h.post(json!({"env": "signIn", "user": user, "pass": "correct-horse"}))
        .await
        .is(401, "Unauthenticated");
    let signed_in = h
        .post(json!({"env": "signIn", "user": user, "pass": "battery-staple"}))
        .await
        .ok();
    let access = signed_in["access_token"].as_str().unwrap().to_owned();

    // TOTP: the secret, its otpauth URI and a QR image; MFA on only once a code is verified.
    let qr = h
        .post(json!({"env": "QR_init", "user": user, "access_token": access}))
        .await
        .ok();
    let secret = qr["QR_code"].as_str().unwrap().to_owned();
    assert!(
        secret.len() >= 16
            && secret
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    );
    assert_eq!(
        qr["otpauth_uri"],
        format!("otpauth://totp/CognitoTutorial:{user}?secret={secret}&issuer=CognitoTutorial")
    );
    assert!(qr["qr_image"]
        .as_str()
        .unwrap()
        .starts_with("data:image/svg+xml;base64,"));
    h.post(json!({"env": "signIn", "user": user, "pass": "battery-staple"}))
        .await
        .ok()["access_token"]
        .as_str()
        .expect("no MFA before QR_TOTP");
    let bad = if totp(&secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    h.post(json!({"env": "QR_TOTP", "access_token": access, "totp": bad}))
        .await
        .is(404, "an error occured check the output from the backend");
    h.post(json!({"env": "QR_TOTP", "access_token": access, "totp": totp(&secret)}))
        .await
        .ok();

    let challenge = h
        .post(json!({"env": "signIn", "user": user, "pass": "battery-staple"}))
        .await
        .ok();
    assert_eq!(challenge["message"], "MFA_REQUIRED");
    // The challenge names the internal username (a UUID `sub` in this e-mail pool).
    let user_id = challenge["user_id"].as_str().unwrap().to_owned();
    assert!(user_id.len() == 36 && user_id != *user, "{user_id}");
    let session = challenge["session"].as_str().unwrap().to_owned();
    h.post(json!({"env": "signInTotp", "user": user, "session": session, "totp": bad}))
        .await
        .is(404, "Code Mismatch");
    let challenge = h
        .post(json!({"env": "signIn", "user": user, "pass": "battery-staple"}))
        .await
        .ok();
    let signed_in = h
        .post(json!({"env": "signInTotp", "user": user, "user_id": challenge["user_id"], "session": challenge["session"], "totp": totp(&secret)}))
        .await;
    assert!(signed_in.ok()["access_token"].as_str().is_some());
    let cookie = signed_in.cookie_header();

    // The refresh cookie gives a new access token; signing out revokes it and clears it.
    let refreshed = h
        .post_with(json!({"env": "refresh"}), Some(&cookie))
        .await
        .ok();
    assert!(refreshed["access_token"]
        .as_str()
        .is_some_and(|t| t.split('.').count() == 3));
    h.post(json!({"env": "refresh"}))
        .await
        .is(401, "Unauthenticated");
    let out = h.post_with(json!({"env": "signOut"}), Some(&cookie)).await;
    out.ok();
    let cleared = out.cookies();
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("refresh_token=;") && c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    h.post_with(json!({"env": "refresh"}), Some(&cookie))
        .await
        .is(401, "Unauthenticated");

    // The token of the sign-in before MFA is still good (signing out ended only the other).
    h.post(json!({"env": "deleteAcct", "access_token": access}))
        .await
        .ok();
    h.post(json!({"env": "signIn", "user": user, "pass": "battery-staple"}))
        .await
        .is(401, "Unauthenticated");
}

#[tokio::test]
async fn unknown_or_missing_env_is_the_tutorials_500() {
    let h = Harness::new().await;
    let text = "Check the backend env dictionary you did set it so the backend didnt do anything";
    h.post(json!({"env": "makeCoffee"})).await.is(500, text);
    h.post(json!({"user": "x@example.com"})).await.is(500, text);
}

#[tokio::test]
async fn missing_fields_follow_each_actions_contract() {
    let h = Harness::new().await;
    // SECRET_HASH actions: the SDK's parameter validation is 401 Unauthenticated.
    h.post(json!({"env": "createAccount", "user": &unique("a")}))
        .await
        .is(401, "Unauthenticated");
    h.post(json!({"env": "signIn", "user": "", "pass": "x"}))
        .await
        .is(401, "Unauthenticated");
    h.post(json!({"env": "confirmAccount", "user": &unique("a"), "pass": "x"}))
        .await
        .is(401, "Unauthenticated");
    // Access-token actions: 404 and the catch-all text.
    let generic = "an error occured check the output from the backend";
    h.post(json!({"env": "changePass", "old_pass": "a"}))
        .await
        .is(404, generic);
    h.post(json!({"env": "deleteAcct"})).await.is(404, generic);
    h.post(json!({"env": "QR_init"})).await.is(404, generic);
    h.post(json!({"env": "QR_TOTP", "access_token": "x"}))
        .await
        .is(404, generic);
    // An edited token is refused by Cognito, the same way.
    h.post(json!({"env": "deleteAcct", "access_token": "eyJ.eyJ.sig"}))
        .await
        .is(404, generic);
}

#[tokio::test]
async fn cognito_errors_map_to_the_tutorials_texts() {
    let h = Harness::new().await;
    // The pool's users sign in with e-mail: another username is InvalidParameterException.
    h.post(json!({"env": "createAccount", "user": "not-an-email", "pass": "correct-horse"}))
        .await
        .is(500, "Format the target string properly");
    // InvalidPasswordException falls to the catch-all.
    h.post(json!({"env": "createAccount", "user": &unique("short"), "pass": "short"}))
        .await
        .is(404, "an error occured check the output from the backend");
    // An unconfirmed user cannot sign in (UserNotConfirmedException): the catch-all.
    h.post(json!({"env": "createAccount", "user": &unique("later"), "pass": "correct-horse"}))
        .await
        .ok();
    h.post(json!({"env": "signIn", "user": &unique("later"), "pass": "correct-horse"}))
        .await
        .is(404, "an error occured check the output from the backend");
    // Six wrong codes: the sixth answers LimitExceededException.
    let code = h.code(&unique("later")).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        h.post(json!({"env": "confirmAccount", "user": &unique("later"), "pass": "correct-horse", "conf_code": wrong}))
            .await
            .is(404, "Code Mismatch");
    }
    h.post(json!({"env": "confirmAccount", "user": &unique("later"), "pass": "correct-horse", "conf_code": wrong}))
        .await
        .is(500, "Limit Exceeded");
}

#[tokio::test]
async fn bodies_are_read_as_the_tutorial_reads_them() {
    let h = Harness::new().await;
    let send = |content_type: &str, body: &str| {
        Request::post("/")
            .header("host", "localhost:3006")
            .header("content-type", content_type)
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let body = json!({"env": "createAccount", "user": &unique("plain"), "pass": "correct-horse"})
        .to_string();
    // Browsers send text/plain (no preflight), with a charset.
    h.send(send("text/plain;charset=UTF-8", &body)).await.ok();
    h.send(send("application/xml", &body)).await.is(
        415,
        "Send the request as a JSON object with Content-Type application/json or text/plain",
    );
    h.send(send("application/json", "{\"env\": ")).await.is(
        400,
        "The body must be a JSON object such as {\"env\": \"signIn\", ...}",
    );
    h.send(send("application/json", "[1, 2]")).await.is(
        400,
        "The body must be a JSON object such as {\"env\": \"signIn\", ...}",
    );
}

#[tokio::test]
async fn cors_headers_on_every_answer_and_the_preflight() {
    let h = Harness::new().await;
    let preflight = h
        .send(
            Request::options("/")
                .header("origin", "http://localhost:4521")
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    assert!(preflight.text.is_empty());
    let expect_cors = |answer: &Answer| {
        assert_eq!(
            answer.headers["access-control-allow-origin"],
            "http://localhost:4521"
        );
        assert_eq!(answer.headers["access-control-allow-credentials"], "true");
        assert_eq!(
            answer.headers["access-control-allow-methods"],
            "POST, GET, OPTIONS"
        );
        assert_eq!(answer.headers["allow-origin-with-credentials"], "true");
    };
    expect_cors(&preflight);
    assert_eq!(
        preflight.headers["access-control-allow-headers"],
        "content-type"
    );
    let error = h.post(json!({"env": "nope"})).await;
    expect_cors(&error);
    assert_eq!(error.headers["access-control-allow-headers"], "*");
}

#[tokio::test]
async fn cookies_are_secure_and_same_site_none_for_a_front_end_on_another_site() {
    let h = Harness::new().await;
    h.signed_up(&unique("cross"), "correct-horse").await;
    let answer = h
        .send(
            Request::post("/")
                .header("host", "127.0.0.1:3006")
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({"env": "signIn", "user": &unique("cross"), "pass": "correct-horse"})
                        .to_string(),
                ))
                .unwrap(),
        )
        .await;
    answer.ok();
    let cookies = answer.cookies();
    assert!(
        cookies
            .iter()
            .all(|c| c.contains("SameSite=None; Secure") && c.contains("HttpOnly")),
        "{cookies:?}"
    );
}

#[tokio::test]
async fn the_page_and_its_files_are_served() {
    let h = Harness::new().await;
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    let page = h.send(get("/")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    assert!(page.text.contains("<script src=\"/app.js\"></script>"));
    let script = h.send(get("/app.js")).await;
    assert_eq!(
        script.headers["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(script.text.contains("credentials: \"include\""));
    let style = h.send(get("/style.css")).await;
    assert_eq!(style.headers["content-type"], "text/css; charset=utf-8");
    assert!(page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'self'"));
    let missing = h.send(get("/nope")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_page_on_this_host_gets_same_site_cookies() {
    let h = Harness::new().await;
    h.signed_up(&unique("page"), "correct-horse").await;
    // The page at GET / posts from its own origin, whatever --front-end-origin says.
    let answer = h
        .send(
            Request::post("/")
                .header("host", "127.0.0.1:3006")
                .header("origin", "http://127.0.0.1:3006")
                .header("content-type", "text/plain;charset=UTF-8")
                .body(Body::from(
                    json!({"env": "signIn", "user": &unique("page"), "pass": "correct-horse"})
                        .to_string(),
                ))
                .unwrap(),
        )
        .await;
    answer.ok();
    let cookies = answer.cookies();
    assert!(
        cookies
            .iter()
            .all(|c| c.contains("SameSite=Lax") && !c.contains("Secure")),
        "{cookies:?}"
    );
}

#[tokio::test]
async fn other_sites_may_not_act_and_tls_cookies_are_secure() {
    let h = Harness::new().await;
    h.signed_up(&unique("origin"), "correct-horse").await;
    let sign_in = |origin: Option<&str>, proto: Option<&str>| {
        let mut request = Request::post("/")
            .header("host", "localhost:3006")
            .header("content-type", "text/plain");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(proto) = proto {
            request = request.header("x-forwarded-proto", proto);
        }
        request
            .body(Body::from(
                json!({"env": "signIn", "user": &unique("origin"), "pass": "correct-horse"})
                    .to_string(),
            ))
            .unwrap()
    };
    // A page of another site posting text/plain (no preflight) is refused, and sets nothing.
    let foreign = h.send(sign_in(Some("https://evil.example"), None)).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN, "{}", foreign.text);
    assert!(foreign.cookies().is_empty());
    // The configured front end may.
    h.send(sign_in(Some("http://localhost:4521"), None))
        .await
        .ok();
    // Behind a TLS terminator, same-site cookies are Secure too.
    let tls = h.send(sign_in(None, Some("https"))).await;
    tls.ok();
    assert!(
        tls.cookies()
            .iter()
            .all(|c| c.contains("SameSite=Lax; Secure")),
        "{:?}",
        tls.cookies()
    );
}

#[tokio::test]
async fn confirm_account_confirms_before_it_needs_the_password() {
    let h = Harness::new().await;
    let user = &unique("nopass");
    h.post(json!({"env": "createAccount", "user": user, "pass": "correct-horse"}))
        .await
        .ok();
    let code = h.code(user).await;
    // As the original: confirmed, then the sign-in without a password is refused.
    h.post(json!({"env": "confirmAccount", "user": user, "conf_code": code}))
        .await
        .is(401, "Unauthenticated");
    h.post(json!({"env": "signIn", "user": user, "pass": "correct-horse"}))
        .await
        .ok();
}

#[tokio::test]
async fn sign_out_without_a_cookie_still_clears_them() {
    let h = Harness::new().await;
    let out = h.post(json!({"env": "signOut"})).await;
    assert_eq!(out.ok(), json!({"message": "OK"}));
    assert_eq!(out.cookies().len(), 2, "{:?}", out.cookies());
    // No content type at all: the 415 of any other type.
    let bare = h
        .send(
            Request::post("/")
                .body(Body::from(json!({"env": "signOut"}).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(bare.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

/// Admin calls keep working once the emulator's clock has passed the session credentials'
/// expiry: the backend asks STS again. (Embedded only: a shared emulator's clock is everyone's,
/// and moving it would expire the other tests' tokens.)
#[tokio::test]
async fn qr_totp_gets_new_session_credentials_when_the_old_have_expired() {
    if std::env::var_os("PROXY_TEST_COGNITO_ENDPOINT").is_some() {
        eprintln!("skipped against a shared emulator");
        return;
    }
    let h = Harness::new().await;
    // Two hours on: the credentials from start-up (an hour at most) are past their expiry.
    let ahead = 7200;
    let moved = reqwest::Client::new()
        .post(format!("{}/_emulator/clock", h.emulator_url))
        .json(&json!({"advance_seconds": ahead}))
        .send()
        .await
        .unwrap();
    assert!(moved.status().is_success());
    let user = &unique("renewal");
    let access = h.signed_up(user, "correct-horse").await;
    let qr = h
        .post(json!({"env": "QR_init", "user": user, "access_token": access}))
        .await
        .ok();
    let code = totp_at(qr["QR_code"].as_str().unwrap(), ahead);
    h.post(json!({"env": "QR_TOTP", "access_token": access, "totp": code}))
        .await
        .ok();
    // The admin call took effect: MFA is on.
    let challenge = h
        .post(json!({"env": "signIn", "user": user, "pass": "correct-horse"}))
        .await
        .ok();
    assert_eq!(challenge["message"], "MFA_REQUIRED");
}
