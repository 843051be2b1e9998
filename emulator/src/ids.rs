//! The only source of randomness: ids, secrets, codes and salts shaped like AWS's.
//! Seedable (`--seed`), so a test run is reproducible. RSA keys are the exception:
//! they come from aws-lc-rs's own generator (see `crypto::jwt`).

use parking_lot::Mutex;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub struct IdGen {
    rng: Mutex<ChaCha20Rng>,
}

impl IdGen {
    /// `Some(seed)` for reproducible runs, `None` for OS entropy.
    pub fn new(seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(seed) => ChaCha20Rng::seed_from_u64(seed),
            None => ChaCha20Rng::from_os_rng(),
        };
        Self {
            rng: Mutex::new(rng),
        }
    }

    fn chars(&self, alphabet: &[u8], len: usize) -> String {
        let mut rng = self.rng.lock();
        (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
            .collect()
    }

    pub fn fill(&self, buf: &mut [u8]) {
        self.rng.lock().fill_bytes(buf);
    }

    pub fn bytes<const N: usize>(&self) -> [u8; N] {
        let mut buf = [0u8; N];
        self.fill(&mut buf);
        buf
    }

    /// `{region}_{9 alphanumerics}`, e.g. `us-east-1_6V8j4HU7f` (wire facts §10.5).
    pub fn user_pool_id(&self, region: &str) -> String {
        format!("{region}_{}", self.chars(ALNUM, 9))
    }

    /// 26 lowercase alphanumerics, e.g. `6tj4ekuni1b9sb91284hvkrb1u`.
    pub fn client_id(&self) -> String {
        self.chars(LOWER_ALNUM, 26)
    }

    /// 51 lowercase alphanumerics: inside the model's 24–64 and `[\w+]+`.
    pub fn client_secret(&self) -> String {
        self.chars(LOWER_ALNUM, 51)
    }

    /// A random (version 4) UUID, lowercase hyphenated.
    pub fn uuid(&self) -> String {
        uuid::Builder::from_random_bytes(self.bytes::<16>())
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// A 6-digit confirmation code.
    pub fn code(&self) -> String {
        format!("{:06}", self.rng.lock().random_range(0..1_000_000u32))
    }

    /// A temporary access key id: `ASIA` and 16 upper-case alphanumerics, as STS issues.
    pub fn temporary_access_key_id(&self) -> String {
        format!(
            "ASIA{}",
            self.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16)
        )
    }

    /// A 40-character secret access key over the base64 alphabet, like AWS's.
    pub fn secret_access_key(&self) -> String {
        self.chars(BASE64, 40)
    }

    /// An opaque session token: 264 random bytes in standard base64 (352 characters, about
    /// the size of STS's own).
    pub fn session_token(&self) -> String {
        use base64::Engine;
        let mut bytes = [0u8; 264];
        self.fill(&mut bytes);
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// Opaque url-safe token material of `len` characters.
    pub fn token_chars(&self, len: usize) -> String {
        const URLSAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        self.chars(URLSAFE, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_aws_shapes() {
        let ids = IdGen::new(Some(7));
        let pool = ids.user_pool_id("us-east-1");
        let (region, rest) = pool.split_once('_').unwrap();
        assert_eq!(region, "us-east-1");
        assert_eq!(rest.len(), 9);
        assert!(rest.chars().all(|c| c.is_ascii_alphanumeric()));
        let client = ids.client_id();
        assert_eq!(client.len(), 26);
        assert!(client
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        let secret = ids.client_secret();
        assert!((24..=64).contains(&secret.len()));
        let code = ids.code();
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        let uuid = ids.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
    }

    #[test]
    fn same_seed_same_ids() {
        let a = IdGen::new(Some(42));
        let b = IdGen::new(Some(42));
        assert_eq!(a.user_pool_id("eu-west-1"), b.user_pool_id("eu-west-1"));
        assert_eq!(a.client_secret(), b.client_secret());
    }
}
