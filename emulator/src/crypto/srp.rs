//! Server side of Cognito's SRP-6a (USER_SRP_AUTH / DEVICE_SRP_AUTH math): verifier, B, u, session key, claim signature.
//! Pure math on values passed in: no randomness (the caller supplies `b`), no clock, no session state or TIMESTAMP policy.
//! RFC 5054 group (3072-bit) with Cognito's conventions per wire facts §5 (pycognito `aws_srp.py`, amazon-cognito-identity-js `AuthenticationHelper.js`).

use std::sync::LazyLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::to_hex;

type HmacSha256 = Hmac<Sha256>;

/// RFC 3526 / RFC 5054 3072-bit MODP prime `N`, as amazon-cognito-identity-js and pycognito spell it.
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// Generator `g`.
pub const G: u32 = 2;

/// HKDF `info` (before the 0x01 counter byte) used by every Cognito SRP client.
const DERIVED_KEY_INFO: &[u8] = b"Caldera Derived Key\x01";

/// Longest `SRP_A` hex accepted: a value below `N` needs 768 digits; allow leading zeros, refuse huge inputs.
const MAX_PUBLIC_HEX_LEN: usize = 1024;

static N: LazyLock<BigUint> =
    LazyLock::new(|| BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("N_HEX is valid hex"));
static GENERATOR: LazyLock<BigUint> = LazyLock::new(|| BigUint::from(G));
/// `k = H_hex(padHex(N) + padHex(g))` (SRP-6a multiplier, wire facts §5.1).
static K: LazyLock<BigUint> =
    LazyLock::new(|| hash_to_int(&hex_hash(&(pad_hex(&N) + &pad_hex(&GENERATOR)))));

/// The group modulus `N`.
pub fn modulus() -> &'static BigUint {
    &N
}

/// The generator `g` as a big integer.
pub fn generator() -> &'static BigUint {
    &GENERATOR
}

/// The SRP-6a multiplier `k`.
pub fn multiplier() -> &'static BigUint {
    &K
}

/// Cognito's hex form of a non-negative integer for hashing: lowercase hex, a `0` prepended if the
/// length is odd, else `00` prepended if the first digit is 8-f (minimal positive two's complement).
pub fn pad_hex(n: &BigUint) -> String {
    let hex = n.to_str_radix(16);
    if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else if matches!(hex.as_bytes()[0], b'8'..=b'9' | b'a'..=b'f') {
        format!("00{hex}")
    } else {
        hex
    }
}

/// `H_hex(s)`: SHA-256 over the bytes that the even-length hex string `s` encodes, as 64 lowercase hex digits.
/// Only ever called on strings built from [`pad_hex`] and SHA-256 hex digests.
fn hex_hash(hex: &str) -> String {
    let bytes =
        hex_to_bytes(hex).expect("hex_hash is only called on even-length hex built internally");
    to_hex(&Sha256::digest(bytes))
}

fn hash_to_int(hex: &str) -> BigUint {
    BigUint::parse_bytes(hex.as_bytes(), 16).expect("a SHA-256 hex digest is valid hex")
}

fn hex_to_bytes(hex: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        (c as char).to_digit(16).map(|d| d as u8)
    }
    let hex = hex.as_bytes();
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

/// The pool name that Cognito's SRP hashes: the part of the user pool id after `_`
/// (`us-east-1_AbC123` → `AbC123`). Like the clients (`split('_')[1]`), an id without `_` gives `""`.
pub fn pool_name(user_pool_id: &str) -> &str {
    user_pool_id.split('_').nth(1).unwrap_or("")
}

/// What the server stores per user instead of the password: the random salt and `v = g^x mod N`.
///
/// For DEVICE_SRP_AUTH the client computes the verifier itself (ConfirmDevice); the server keeps
/// `BigUint::from_bytes_be(base64-decoded PasswordVerifier)` and the salt bytes it sent.
#[derive(Clone, PartialEq, Eq)]
pub struct SrpVerifier {
    /// Random salt (16 bytes for users), as chosen by the caller.
    pub salt: Vec<u8>,
    /// `v = g^x mod N`.
    pub verifier: BigUint,
}

impl SrpVerifier {
    /// The `SALT` challenge parameter: [`pad_hex`] of the salt read as a big-endian integer (wire facts §5.3).
    /// This canonical form is the only one on which pycognito and amazon-cognito-identity-js agree.
    pub fn salt_hex(&self) -> String {
        pad_hex(&BigUint::from_bytes_be(&self.salt))
    }
}

impl std::fmt::Debug for SrpVerifier {
    // The verifier permits an offline dictionary attack on the password; keep it out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrpVerifier")
            .field("salt", &self.salt_hex())
            .finish_non_exhaustive()
    }
}

/// `x = H_hex(padHex(salt) + SHA256_hex(UTF8(poolName + userId + ":" + password)))`, `v = g^x mod N`.
///
/// `user_id_for_srp` must be the internal username (USER_ID_FOR_SRP), never an alias. For devices,
/// pass the DeviceGroupKey as `pool_name` and the DeviceKey as `user_id_for_srp`.
pub fn compute_verifier(
    pool_name: &str,
    user_id_for_srp: &str,
    password: &str,
    salt: &[u8],
) -> SrpVerifier {
    SrpVerifier {
        salt: salt.to_vec(),
        verifier: verifier_from_key(&private_key(pool_name, user_id_for_srp, password, salt)),
    }
}

/// The 32 bytes of `x = H_hex(padHex(salt) + SHA256_hex(UTF8(poolName + userId + ":" + password)))`
/// (wire facts §5.2), computed on bytes instead of hex strings: `padHex(salt)` decodes to the salt
/// without its leading zero bytes, with one `0x00` put back when the first byte has its top bit set,
/// and the identity digest's hex decodes to the digest itself. Two SHA-256 calls, no allocation.
pub fn private_key(pool_name: &str, user_id: &str, password: &str, salt: &[u8]) -> [u8; 32] {
    let identity = Sha256::new()
        .chain_update(pool_name)
        .chain_update(user_id)
        .chain_update(":")
        .chain_update(password)
        .finalize();
    let significant = match salt.iter().position(|&byte| byte != 0) {
        Some(first) => &salt[first..],
        None => &[][..],
    };
    let mut x = Sha256::new();
    if significant.first().is_none_or(|&byte| byte >= 0x80) {
        // padHex prepends "00" to a value whose first digit is 8-f, and writes zero as "00".
        x.update([0u8]);
    }
    x.chain_update(significant)
        .chain_update(identity)
        .finalize()
        .into()
}

/// `v = g^x mod N` for an `x` from [`private_key`]. A 3072-bit modular exponentiation (about
/// 1.4 ms): call with no lock held.
pub fn verifier_from_key(x: &[u8; 32]) -> BigUint {
    GENERATOR.modpow(&BigUint::from_bytes_be(x), &N)
}

/// A secret exponent (the server's `b`) from caller-supplied random bytes (128 bytes, like the
/// clients' `a`), reduced mod `N` as amazon-cognito-identity-js does.
pub fn private_value(random: &[u8]) -> BigUint {
    BigUint::from_bytes_be(random) % &*N
}

/// Parses the client's `SRP_A` (unpadded hex of A) and applies the SRP-6a safety check `A mod N ≠ 0`.
///
/// `None` for anything that is not plain hex digits, is absurdly long, or fails the check; the
/// caller answers that with an error rather than a challenge. Accepting `A ≡ 0` would let a client
/// authenticate without the password, so [`session_key`] must only see values from here.
pub fn parse_client_public(srp_a: &str) -> Option<BigUint> {
    if srp_a.is_empty()
        || srp_a.len() > MAX_PUBLIC_HEX_LEN
        || !srp_a.bytes().all(|c| c.is_ascii_hexdigit())
    {
        return None;
    }
    let a_pub = BigUint::parse_bytes(srp_a.as_bytes(), 16)?;
    if (&a_pub % &*N) == BigUint::ZERO {
        return None;
    }
    Some(a_pub)
}

/// Server public value `B = (k·v + g^b) mod N`, sent as `SRP_B` (hex, padding optional).
///
/// Note: num-bigint's `modpow` is not constant-time. Acceptable for an emulator, not for a real
/// service exposed to timing attackers.
pub fn server_b(verifier: &BigUint, b: &BigUint) -> BigUint {
    (&*K * verifier + GENERATOR.modpow(b, &N)) % &*N
}

/// Scrambling parameter `u = H_hex(padHex(A) + padHex(B))` as an integer.
///
/// A zero `u` (probability 2^-256; `B` is the server's choice, so a client cannot force it) would
/// make the key independent of the verifier; callers may reject it for completeness.
pub fn compute_u(a_pub: &BigUint, b_pub: &BigUint) -> BigUint {
    hash_to_int(&hex_hash(&(pad_hex(a_pub) + &pad_hex(b_pub))))
}

/// The 16-byte key both sides derive: `S = (A·v^u)^b mod N`, then Cognito's single-block HKDF
/// `PRK = HMAC(key = bytes(padHex(u)), msg = bytes(padHex(S)))`, `K = HMAC(PRK, "Caldera Derived Key" ‖ 0x01)[..16]`.
///
/// `a_pub` must come from [`parse_client_public`].
pub fn session_key(a_pub: &BigUint, verifier: &BigUint, u: &BigUint, b: &BigUint) -> [u8; 16] {
    let base = (a_pub * verifier.modpow(u, &N)) % &*N;
    let s = base.modpow(b, &N);
    derive_key(&s, u)
}

fn derive_key(s: &BigUint, u: &BigUint) -> [u8; 16] {
    let salt = hex_to_bytes(&pad_hex(u)).expect("pad_hex output is even-length hex");
    let ikm = hex_to_bytes(&pad_hex(s)).expect("pad_hex output is even-length hex");
    let mut extract = HmacSha256::new_from_slice(&salt).expect("HMAC accepts any key length");
    extract.update(&ikm);
    let prk = extract.finalize().into_bytes();
    let mut expand = HmacSha256::new_from_slice(&prk).expect("HMAC accepts any key length");
    expand.update(DERIVED_KEY_INFO);
    let okm = expand.finalize().into_bytes();
    let mut key = [0u8; 16];
    key.copy_from_slice(&okm[..16]);
    key
}

/// `PASSWORD_CLAIM_SIGNATURE` before base64:
/// `HMAC_SHA256(key = K, msg = UTF8(poolName) ‖ UTF8(userId) ‖ secret_block ‖ UTF8(timestamp))`.
///
/// `secret_block` is the base64-decoded `SECRET_BLOCK`; `timestamp` is the client's `TIMESTAMP`
/// exactly as received. For devices: DeviceGroupKey and DeviceKey in place of pool name and user id.
pub fn claim_signature(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(pool_name.as_bytes());
    mac.update(user_id.as_bytes());
    mac.update(secret_block);
    mac.update(timestamp.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Whether `provided_b64` (the `PASSWORD_CLAIM_SIGNATURE` as sent: standard base64, padded) is the
/// claim signature for these inputs. Compared in constant time.
pub fn verify_claim(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
    provided_b64: &str,
) -> bool {
    let expected = STANDARD.encode(claim_signature(
        key,
        pool_name,
        user_id,
        secret_block,
        timestamp,
    ));
    expected.as_bytes().ct_eq(provided_b64.as_bytes()).into()
}

#[path = "srp_client.rs"]
pub mod client;

#[cfg(test)]
#[path = "srp_tests.rs"]
mod tests;
