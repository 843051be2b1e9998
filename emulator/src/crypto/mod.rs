//! Pure cryptography for the emulator: SECRET_HASH, password credentials, SRP-6a and RS256 tokens.
//! Synchronous functions only: no I/O, no clock reads, no RNG (callers pass time and random bytes in),
//! except RSA key generation, which uses aws-lc-rs's own RNG.

pub mod credentials;
pub mod jwt;
pub mod password;
pub mod secret_hash;
pub mod srp;
pub mod totp;
