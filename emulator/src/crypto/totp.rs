//! Software-token MFA codes: RFC 6238 TOTP with HMAC-SHA1, 6 digits and 30-second steps, and
//! one step of tolerance either way, as Cognito accepts (wire facts §6). `totp-rs` does the
//! arithmetic and compares codes in constant time; the caller passes the time and keeps the
//! last accepted step, so that a code signs in only once.

use totp_rs::{Builder, Secret, Totp};

/// Cognito's `SecretCode`: the secret's RFC 4648 base32 form, without padding.
pub fn secret_code(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// The secret behind a `SecretCode` (for tests and tools); `None` if it is not base32.
pub fn secret_from_code(secret_code: &str) -> Option<Vec<u8>> {
    Secret::try_from_base32(secret_code)
        .ok()
        .map(|s| s.as_bytes().to_vec())
}

fn totp(secret: &[u8]) -> Totp {
    // SHA-1, 6 digits, a 30 s step and a skew of one step are the builder's defaults; the
    // secrets the emulator makes are 256 bits, above RFC 4226's 128-bit minimum.
    Builder::new()
        .with_secret(secret.to_vec())
        .build_noncompliant()
}

/// The time step (`epoch_secs / 30`) that `code` is valid for, within one step of
/// `epoch_secs`; `None` for a wrong or malformed code.
pub fn matching_step(secret: &[u8], code: &str, epoch_secs: u64) -> Option<u64> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret).check(code, epoch_secs)
}

/// The code an authenticator app shows at `epoch_secs` (for tests and tools).
pub fn code_at(secret: &[u8], epoch_secs: u64) -> String {
    totp(secret).generate(epoch_secs).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 secret "12345678901234567890": the 8-digit values' last six
    /// digits are the 6-digit codes (the truncation is the same modulo 10^6).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59), "287082");
        assert_eq!(code_at(secret, 1_111_111_109), "081804");
        assert_eq!(code_at(secret, 1_234_567_890), "005924");
        assert_eq!(code_at(secret, 2_000_000_000), "279037");
    }

    #[test]
    fn one_step_early_or_late_passes_and_reports_its_step() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_109;
        let step = now / 30;
        assert_eq!(matching_step(secret, "081804", now), Some(step));
        assert_eq!(
            matching_step(secret, &code_at(secret, now - 30), now),
            Some(step - 1)
        );
        assert_eq!(
            matching_step(secret, &code_at(secret, now + 30), now),
            Some(step + 1)
        );
        assert_eq!(matching_step(secret, &code_at(secret, now + 60), now), None);
        assert_eq!(matching_step(secret, "000000", now), None);
        assert_eq!(matching_step(secret, "08180", now), None);
        assert_eq!(matching_step(secret, "O81804", now), None);
    }

    /// RFC 4648 §10: BASE32("foobar") = "MZXW6YTBOI======"; Cognito leaves out the padding.
    #[test]
    fn secret_codes_are_unpadded_base32() {
        assert_eq!(secret_code(b"foobar"), "MZXW6YTBOI");
        assert_eq!(
            secret_from_code("MZXW6YTBOI").as_deref(),
            Some(&b"foobar"[..])
        );
        assert_eq!(secret_from_code("not base32!"), None);
        assert_eq!(secret_code(&[0u8; 32]).len(), 52);
    }
}
