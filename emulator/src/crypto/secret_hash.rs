//! SECRET_HASH of app clients that have a client secret: compute and verify in constant time.
//! Knows nothing about which username a given operation hashes (the caller decides, see wire facts §4).
//! Formula: AWS "Computing secret hash values"; pycognito `AWSSRP.get_secret_hash`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

fn secret_hash_bytes(client_secret: &str, username: &str, client_id: &str) -> [u8; 32] {
    let mut mac =
        HmacSha256::new_from_slice(client_secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    mac.finalize().into_bytes().into()
}

/// `Base64(HMAC_SHA256(key = UTF8(client_secret), msg = UTF8(username + client_id)))`,
/// standard alphabet with padding.
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    STANDARD.encode(secret_hash_bytes(client_secret, username, client_id))
}

/// Whether `provided` is the SECRET_HASH of `username` for this client.
///
/// Compares the base64 text in constant time, so a non-canonical encoding of the right
/// bytes is rejected, as a strict server would.
pub fn verify_secret_hash(
    client_secret: &str,
    username: &str,
    client_id: &str,
    provided: &str,
) -> bool {
    let expected = secret_hash(client_secret, username, client_id);
    expected.as_bytes().ct_eq(provided.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected value computed independently:
    /// `python3 -c "import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b'secret',b'user'+b'client',hashlib.sha256).digest()).decode())"`
    /// and identical to pycognito 2024.5.1 `AWSSRP.get_secret_hash('user', 'client', 'secret')`.
    #[test]
    fn known_answer_ascii() {
        assert_eq!(
            secret_hash("secret", "user", "client"),
            "wvW87lzZoI+qQCVGmWVBJLlucdJ65huAVP1z+0MgA6E="
        );
    }

    /// Non-ASCII username, realistic client id/secret shapes. Expected value from
    /// `python3 -c "import hmac,hashlib,base64;print(base64.b64encode(hmac.new('1example23456789secretkeyabcdefghijklmnop'.encode(),'jöhn.doe@example.com'.encode()+'6tj4ekuni1b9sb91284hvkrb1u'.encode(),hashlib.sha256).digest()).decode())"`
    /// and identical to pycognito 2024.5.1
    /// `AWSSRP.get_secret_hash('jöhn.doe@example.com', '6tj4ekuni1b9sb91284hvkrb1u', '1example23456789secretkeyabcdefghijklmnop')`.
    #[test]
    fn known_answer_non_ascii_username() {
        assert_eq!(
            secret_hash(
                "1example23456789secretkeyabcdefghijklmnop",
                "jöhn.doe@example.com",
                "6tj4ekuni1b9sb91284hvkrb1u"
            ),
            "zr02Z1j+x7VNzJNaBVgoDKdE/+lvAFp3g+8xlSW/2e0="
        );
    }

    /// CJK username; expected value from pycognito 2024.5.1 `AWSSRP.get_secret_hash('用户', 'c', 's')`
    /// (and the same python3 one-liner with key `'s'`, msg `'用户'.encode()+b'c'`).
    #[test]
    fn known_answer_cjk_username() {
        assert_eq!(
            secret_hash("s", "用户", "c"),
            "QvFdSzMcTyn0tlrNyAI2/+h9SN8ciRqtYq7WunGuI1w="
        );
    }

    #[test]
    fn verify_accepts_right_and_rejects_wrong() {
        let good = "wvW87lzZoI+qQCVGmWVBJLlucdJ65huAVP1z+0MgA6E=";
        assert!(verify_secret_hash("secret", "user", "client", good));
        assert!(!verify_secret_hash("secret", "user2", "client", good));
        assert!(!verify_secret_hash("secret2", "user", "client", good));
        assert!(!verify_secret_hash("secret", "user", "client", ""));
        // Unpadded form of the right bytes is not the wire format.
        assert!(!verify_secret_hash(
            "secret",
            "user",
            "client",
            good.trim_end_matches('=')
        ));
        assert!(!verify_secret_hash(
            "secret",
            "user",
            "client",
            "not base64 at all"
        ));
    }
}
