// The tutorial's front end, in plain JavaScript: every action is POST / with {"env": ...},
// sent as text/plain (no preflight) with credentials, so the refresh-token cookie travels.
// The backend is the server that served this page, unless a copy of the page served from
// the front end's own origin names it in <meta name="backend">.
"use strict";

const backend =
  document.querySelector('meta[name="backend"]')?.content || window.location.origin + "/";
let accessToken = null;
let mfaSession = null;
let mfaUserId = null;

const $ = (id) => document.getElementById(id);
const value = (id) => $(id).value.trim();

function show(message, ok) {
  const status = $("status");
  status.textContent = message;
  status.className = ok ? "ok" : "error";
}

function signedIn(token) {
  accessToken = token;
  mfaSession = null;
  $("token").textContent = token ? token.slice(0, 12) + "…" + token.slice(-12) : "";
  $("session").hidden = !token;
  $("mfa").hidden = true;
}

// Sends one action; answers the parsed JSON, or throws with the backend's own text.
async function call(body) {
  const response = await fetch(backend, {
    method: "POST",
    credentials: "include",
    headers: { "Content-Type": "text/plain" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${response.status}: ${text}`);
  }
  return JSON.parse(text);
}

async function act(label, body, then) {
  try {
    const answer = await call(body);
    if (then) {
      then(answer);
    }
    show(`${label}: ${answer.message || "OK"}`, true);
  } catch (error) {
    show(`${label} failed: ${error.message}`, false);
  }
}

$("createAccount").onclick = () =>
  act("Create account", { env: "createAccount", user: value("user"), pass: $("pass").value });

$("resendCode").onclick = () => act("Resend code", { env: "resendCode", user: value("user") });

$("confirmAccount").onclick = () =>
  act(
    "Confirm",
    { env: "confirmAccount", user: value("user"), pass: $("pass").value, conf_code: value("conf_code") },
    (answer) => signedIn(answer.access_token),
  );

$("signIn").onclick = () =>
  act("Sign in", { env: "signIn", user: value("user"), pass: $("pass").value }, (answer) => {
    if (answer.message === "MFA_REQUIRED") {
      mfaSession = answer.session;
      mfaUserId = answer.user_id;
      $("mfa").hidden = false;
      $("mfa_code").focus();
    } else if (answer.access_token) {
      signedIn(answer.access_token);
    }
  });

$("signInTotp").onclick = () =>
  act(
    "Sign in with the code",
    { env: "signInTotp", user: value("user"), user_id: mfaUserId, session: mfaSession, totp: value("mfa_code") },
    (answer) => signedIn(answer.access_token),
  );

$("refresh").onclick = () =>
  act("Refresh", { env: "refresh" }, (answer) => signedIn(answer.access_token));

$("signOut").onclick = () => act("Sign out", { env: "signOut" }, () => signedIn(null));

$("deleteAcct").onclick = () =>
  act("Delete the account", { env: "deleteAcct", access_token: accessToken }, () => signedIn(null));

$("changePass").onclick = () =>
  act("Change password", {
    env: "changePass",
    old_pass: $("old_pass").value,
    new_pass: $("new_pass").value,
    access_token: accessToken,
  });

$("QR_init").onclick = () =>
  act("Set up an authenticator", { env: "QR_init", user: value("user"), access_token: accessToken }, (answer) => {
    $("qr_image").src = answer.qr_image;
    $("qr_secret").textContent = answer.QR_code;
    $("qr").hidden = false;
  });

$("QR_TOTP").onclick = () =>
  act("Verify and turn on", { env: "QR_TOTP", access_token: accessToken, totp: value("totp") }, () => {
    $("qr").hidden = true;
  });
