//! The client side of Cognito's SRP, as pycognito and amazon-cognito-identity-js compute it
//! (wire facts §5.2): for tests, the conformance suite and tools that sign in with
//! USER_SRP_AUTH. The server side never uses it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

use super::{claim_signature, derive_key, generator, hex_hash, modulus, multiplier, pad_hex};

/// One sign-in's secret `a` and public `A = g^a mod N`.
pub struct SrpClient {
    a: BigUint,
    a_pub: BigUint,
}

/// What a PASSWORD_VERIFIER challenge's parameters give the client.
pub struct PasswordVerifier<'a> {
    pub salt: &'a str,
    pub srp_b: &'a str,
    pub secret_block: &'a str,
    pub user_id_for_srp: &'a str,
}

impl SrpClient {
    /// `a` from 128 random bytes, as the clients draw it.
    pub fn new(random: &[u8; 128]) -> Self {
        let a = super::private_value(random);
        let a_pub = generator().modpow(&a, modulus());
        SrpClient { a, a_pub }
    }

    /// `SRP_A`: unpadded hex of `A`.
    pub fn srp_a(&self) -> String {
        self.a_pub.to_str_radix(16)
    }

    /// `S = (B − k·g^x)^(a + u·x) mod N` and the HKDF of §5.2. `None` where the clients refuse
    /// to go on: `B ≡ 0 mod N` or `u = 0`, or a SALT or SRP_B that is not hex.
    pub fn session_key(
        &self,
        pool_name: &str,
        user_id_for_srp: &str,
        password: &str,
        salt_hex: &str,
        srp_b: &str,
    ) -> Option<[u8; 16]> {
        let n = modulus();
        let b_pub = BigUint::parse_bytes(srp_b.as_bytes(), 16)?;
        let salt = BigUint::parse_bytes(salt_hex.as_bytes(), 16)?;
        if &b_pub % n == BigUint::ZERO {
            return None;
        }
        let u = hash_int(&(pad_hex(&self.a_pub) + &pad_hex(&b_pub)));
        if u == BigUint::ZERO {
            return None;
        }
        let identity = Sha256::digest(format!("{pool_name}{user_id_for_srp}:{password}"));
        let x = hash_int(&(pad_hex(&salt) + &super::to_hex(&identity)));
        let k_gx = (multiplier() * generator().modpow(&x, n)) % n;
        let base = (&b_pub + n - k_gx) % n;
        let s = base.modpow(&(&self.a + &u * &x), n);
        Some(derive_key(&s, &u))
    }

    /// `PASSWORD_CLAIM_SIGNATURE` (base64) answering `challenge` in the pool `user_pool_id`,
    /// signed over `timestamp` (see [`timestamp`]). `None` as for [`Self::session_key`], or
    /// for a SECRET_BLOCK that is not base64.
    pub fn password_claim(
        &self,
        user_pool_id: &str,
        challenge: &PasswordVerifier<'_>,
        password: &str,
        timestamp: &str,
    ) -> Option<String> {
        let pool_name = super::pool_name(user_pool_id);
        let key = self.session_key(
            pool_name,
            challenge.user_id_for_srp,
            password,
            challenge.salt,
            challenge.srp_b,
        )?;
        let block = STANDARD.decode(challenge.secret_block).ok()?;
        let signature = claim_signature(
            &key,
            pool_name,
            challenge.user_id_for_srp,
            &block,
            timestamp,
        );
        Some(STANDARD.encode(signature))
    }
}

fn hash_int(hex: &str) -> BigUint {
    BigUint::parse_bytes(hex_hash(hex).as_bytes(), 16).expect("a SHA-256 hex digest")
}

/// The clients' `TIMESTAMP` for `epoch_secs`: `"%a %b %-d %H:%M:%S UTC %Y"` in English, e.g.
/// `Tue Nov 5 09:03:07 UTC 2024`.
pub fn timestamp(epoch_secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = epoch_secs.div_euclid(86_400);
    let secs = epoch_secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's `civil_from_days`).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{} {} {} {:02}:{:02}:{:02} UTC {}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        day,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        year
    )
}
