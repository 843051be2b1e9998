//! USER_SRP_AUTH (wire facts §5): InitiateAuth hands out a PASSWORD_VERIFIER challenge, and
//! RespondToAuthChallenge checks the client's proof that it knows the password, which never
//! travels. The challenge is kept server-side under its SECRET_BLOCK, because pycognito
//! answers without a `Session`. The modular exponentiations (milliseconds each) run with no
//! lock held.

use std::collections::HashMap;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use serde_json::json;
use sha2::Sha256;

use super::challenges::{self, AuthStep, SESSION_TTL};
use super::sign_in::{self, Candidate};
use super::{required_param, users, SignInClient};
use crate::clock::Timestamp;
use crate::crypto::srp;
use crate::error::ServiceError;
use crate::model::{Challenge, SrpChallenge, UserPool};
use crate::AppState;

/// InitiateAuth USER_SRP_AUTH: checks the user as a password sign-in would, then answers
/// with `PASSWORD_VERIFIER` and `SALT`, `SRP_B`, `SECRET_BLOCK`, `USER_ID_FOR_SRP`, `USERNAME`.
pub fn start(
    state: &AppState,
    cx: &SignInClient,
    username: &str,
    srp_a: &str,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let a_pub = srp::parse_client_public(srp_a).ok_or_else(|| {
        ServiceError::invalid_parameter(
            "SRP_A must be the hexadecimal form of g^a mod N, and not 0 mod N.",
        )
    })?;
    let found = {
        let pool = cx.entry.read();
        if users::find_key(&pool, username).is_none()
            && cx.app_client.prevents_user_existence_errors()
        {
            None
        } else {
            Some(sign_in::pre_sign_in_checks(&pool, cx, username, now)?)
        }
    };
    // The cap first, so that a flood of unanswered challenges is refused before the slow part
    // (and checked again when the challenge is stored).
    {
        let mut pool = cx.entry.write();
        let pending = &mut pool.pending;
        challenges::make_room(&mut pending.srp, &mut pending.srp_next_sweep, now)?;
    }
    // The slow part, with no lock held.
    let b = srp::private_value(&state.ids.bytes::<128>());
    let (salt_hex, verifier, user_key, user_id_for_srp, kept) = match found {
        Some(Candidate {
            key,
            username: internal,
            credentials,
        }) => {
            let credentials = credentials.ok_or_else(ServiceError::incorrect_credentials)?;
            let stored = credentials.srp_verifier();
            (
                stored.salt_hex(),
                stored.verifier.clone(),
                Some(key),
                internal,
                Some(credentials.clone()),
            )
        }
        None => {
            // AWS answers an unknown user with a challenge no answer can pass (§5.3): the same
            // made-up salt and USER_ID_FOR_SRP each time for the same name, and a random B.
            let made_up = simulated_identity(state, &cx.entry.read(), username);
            let salt = srp::SrpVerifier {
                salt: made_up[..16].to_vec(),
                verifier: BigUint::ZERO,
            };
            let id =
                uuid::Builder::from_random_bytes(made_up[16..32].try_into().expect("16 bytes"))
                    .into_uuid();
            // A verifier like a real one, so B and the answer's work look the same.
            let verifier = srp::verifier_from_key(&made_up);
            (salt.salt_hex(), verifier, None, id.to_string(), None)
        }
    };
    let b_pub = srp::server_b(&verifier, &b);
    let secret_block = STANDARD.encode(state.ids.bytes::<64>());
    let parameters = match json!({
        "SALT": salt_hex,
        "SRP_B": b_pub.to_str_radix(16),
        "SECRET_BLOCK": secret_block,
        "USER_ID_FOR_SRP": user_id_for_srp,
        "USERNAME": user_id_for_srp,
    }) {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let challenge = SrpChallenge {
        client_id: cx.app_client.client_id.clone(),
        user_key,
        user_id_for_srp,
        username_given: username.to_owned(),
        credentials: kept,
        a_pub,
        b,
        b_pub,
        verifier,
        expires: now.plus(SESSION_TTL),
        answered: false,
    };
    let mut pool = cx.entry.write();
    let pending = &mut pool.pending;
    challenges::make_room(&mut pending.srp, &mut pending.srp_next_sweep, now)?;
    pool.pending.srp.insert(secret_block, challenge);
    Ok(AuthStep::Challenge {
        challenge: Challenge::PasswordVerifier,
        parameters,
        session: None,
    })
}

/// RespondToAuthChallenge PASSWORD_VERIFIER: `USERNAME`, `PASSWORD_CLAIM_SECRET_BLOCK`,
/// `PASSWORD_CLAIM_SIGNATURE`, `TIMESTAMP` (and `SECRET_HASH` for clients with a secret).
/// A wrong proof counts toward the lockout like a wrong password. Returns the proven user's key.
pub fn answer(
    state: &AppState,
    cx: &SignInClient,
    responses: &HashMap<String, String>,
    now: Timestamp,
) -> Result<String, ServiceError> {
    let username = required_param(responses, "USERNAME")?;
    let block = required_param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = required_param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = required_param(responses, "TIMESTAMP")?;
    if !well_formed_timestamp(timestamp) {
        return Err(ServiceError::invalid_parameter(
            "TIMESTAMP must look like \"Tue Nov 5 09:03:07 UTC 2024\".",
        ));
    }

    let (challenge, key) = {
        let mut pool = cx.entry.write();
        let challenge = challenges::live(
            &mut pool.pending.srp,
            block,
            &cx.app_client.client_id,
            now,
            ServiceError::incorrect_credentials,
        )?;
        // pycognito hashes the name the user signed in with; other clients USERNAME.
        cx.check_secret_hash_any(
            &[
                username,
                &challenge.username_given,
                &challenge.user_id_for_srp,
            ],
            responses.get("SECRET_HASH").map(String::as_str),
        )?;
        challenge.answered = true;
        let challenge = challenge.clone();
        // USERNAME must name the challenged user (by username or alias), whose password must
        // be the one the challenge was made from; and the user must still be allowed in.
        let key = challenge.user_key.clone().filter(|key| {
            let current = pool.users.get(key).and_then(|u| u.credentials.as_ref());
            let unchanged = match (current, &challenge.credentials) {
                (Some(now_kept), Some(then_kept)) => Arc::ptr_eq(now_kept, then_kept),
                _ => false,
            };
            unchanged && users::find_key(&pool, username).as_deref() == Some(key.as_str())
        });
        if let Some(key) = &key {
            sign_in::pre_sign_in_checks(&pool, cx, &challenge.user_id_for_srp, now)?;
            sign_in::reserve_password_guess(&mut pool, key, now)?;
        }
        (challenge, key)
    };

    // The slow part, with no lock held.
    // SECRET_BLOCKs are the emulator's own base64: a key that found a challenge decodes.
    let block_bytes = STANDARD.decode(block).unwrap_or_default();
    let u = srp::compute_u(&challenge.a_pub, &challenge.b_pub);
    let proven = u != BigUint::ZERO && {
        let session_key = srp::session_key(&challenge.a_pub, &challenge.verifier, &u, &challenge.b);
        srp::verify_claim(
            &session_key,
            srp::pool_name(&cx.app_client.user_pool_id),
            &challenge.user_id_for_srp,
            &block_bytes,
            timestamp,
            signature,
        )
    };
    match key {
        Some(key) => {
            let mut pool = cx.entry.write();
            sign_in::record_password_proof(
                state,
                &mut pool,
                &key,
                challenge.credentials.as_ref(),
                proven,
                now,
            )?;
            Ok(key)
        }
        // A made-up challenge, or one whose user or password changed: the same work, and the
        // answer a wrong password gets.
        None => Err(ServiceError::incorrect_credentials()),
    }
}

/// 32 bytes standing for an unknown `username` of the pool, the same on every call for every
/// spelling the pool would take for the same user (case, where the pool ignores it).
fn simulated_identity(state: &AppState, pool: &UserPool, username: &str) -> [u8; 32] {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&state.simulation_key).expect("HMAC accepts any key length");
    mac.update(pool.id.as_bytes());
    mac.update(&[0]);
    mac.update(users::lookup_form(pool, username).as_bytes());
    mac.finalize().into_bytes().into()
}

/// The clients' `TIMESTAMP`: `"%a %b %-d %H:%M:%S UTC %Y"` in English, e.g.
/// `Tue Nov 5 09:03:07 UTC 2024` (wire facts §5.2). Some pycognito versions zero-pad the day
/// (`Nov 05`); both pass. The signature binds the value, so no clock-skew window is applied.
fn well_formed_timestamp(timestamp: &str) -> bool {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let fields: Vec<&str> = timestamp.split(' ').collect();
    let [day_name, month, day, time, zone, year] = fields[..] else {
        return false;
    };
    let time: Vec<&str> = time.split(':').collect();
    DAYS.contains(&day_name)
        && MONTHS.contains(&month)
        && digits(day, 1, 2)
        && day.parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
        && time.len() == 3
        && time.iter().all(|part| digits(part, 2, 2))
        && zone == "UTC"
        && digits(year, 4, 4)
}

#[cfg(test)]
mod tests {
    use super::well_formed_timestamp;

    #[test]
    fn timestamps_as_the_clients_write_them() {
        // amazon-cognito-identity-js DateHelper and pycognito (wire facts §5.2).
        assert!(well_formed_timestamp("Tue Nov 5 09:03:07 UTC 2024"));
        assert!(well_formed_timestamp("Sun Mar 23 23:59:00 UTC 2025"));
        assert!(well_formed_timestamp("Tue Nov 05 09:03:07 UTC 2024"));
        for bad in [
            "",
            "Tue Nov 5 09:03:07 GMT 2024",
            "Tue Nov 5 9:03:07 UTC 2024",
            "Tue Nov 32 09:03:07 UTC 2024",
            "Tuesday Nov 5 09:03:07 UTC 2024",
            "Tue Nov  5 09:03:07 UTC 2024",
            "2024-11-05T09:03:07Z",
        ] {
            assert!(!well_formed_timestamp(bad), "{bad:?}");
        }
    }
}
