//! Pure cryptography for the emulator: SECRET_HASH, password credentials, SRP-6a and RS256 tokens.
//! Synchronous functions only: no I/O, no clock reads, no RNG (callers pass time and random bytes in),
//! except RSA key generation, which uses aws-lc-rs's own RNG.

pub mod credentials;
pub mod jwt;
pub mod password;
pub mod secret_hash;
pub mod srp;
pub mod totp;

/// Lowercase hex of `bytes` (SRP's hashes, SigV4's digests and signatures).
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}
