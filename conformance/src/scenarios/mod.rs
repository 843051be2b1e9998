//! The scenarios, one module per area. Each is an `async fn(Ctx) -> Step` listed once in
//! `for_each_scenario!` (lib.rs). Expected codes and messages cite where AWS's behaviour is
//! documented or recorded (mostly the shared wire facts, by section).

pub mod account;
pub mod admin_auth;
pub mod admin_users;
pub mod clients;
pub mod credentials;
pub mod existence;
pub mod groups;
pub mod list_users;
pub mod mfa;
pub mod pools;
pub mod recovery;
pub mod sign_in;
pub mod sign_up;
pub mod srp;
pub mod tokens;
pub mod validation;

use aws_sdk_cognitoidentityprovider::types::{CodeDeliveryDetailsType, DeliveryMediumType};

use crate::check::{present, Step};
use crate::{ensure, ensure_eq};

/// Wire facts §7.1.
pub const INCORRECT_CREDENTIALS: &str = "Incorrect username or password.";
/// Wire facts §7.1 (LEGACY existence errors).
pub const USER_DOES_NOT_EXIST: &str = "User does not exist.";
/// Wire facts §7.2.
pub const CODE_MISMATCH: &str = "Invalid verification code provided, please try again.";
/// Wire facts §7.2.
pub const EXPIRED_CODE: &str = "Invalid code provided, please request a code again.";
/// Wire facts §7.3, the public operations' prefix.
pub const POLICY_PREFIX: &str = "Password did not conform with policy: ";

/// Wire facts §4: the current wording, then the older one seen in 2022–2024 reports.
pub fn wrong_secret_hash_messages(client_id: &str) -> [String; 2] {
    [
        format!("Unable to verify secret hash for client {client_id}"),
        format!("SecretHash does not match for the client: {client_id}"),
    ]
}

/// Wire facts §4.
pub fn missing_secret_hash_message(client_id: &str) -> String {
    format!("Client {client_id} is configured with secret but SECRET_HASH was not received")
}

/// `CodeDeliveryDetails` of an e-mail: medium EMAIL, attribute `email`, and a masked
/// destination (AWS shows `t***@e***`, never the whole address).
pub fn check_email_delivery(details: Option<&CodeDeliveryDetailsType>, address: &str) -> Step {
    let details = present(details, "CodeDeliveryDetails")?;
    ensure_eq!(
        details.delivery_medium(),
        Some(&DeliveryMediumType::Email),
        "CodeDeliveryDetails.DeliveryMedium"
    );
    ensure_eq!(
        details.attribute_name(),
        Some("email"),
        "CodeDeliveryDetails.AttributeName"
    );
    let destination = present(details.destination(), "CodeDeliveryDetails.Destination")?;
    ensure!(
        destination != address && destination.contains("***"),
        "CodeDeliveryDetails.Destination {destination:?} should be masked like AWS's (t***@e***), not {address:?}"
    );
    Ok(())
}

/// Whether `text` is a lowercase hyphenated UUID, as Cognito's `sub` is.
pub fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}

/// A pool id that exists nowhere: `{region}_` and 9 alphanumerics.
pub fn unknown_pool_id(region: &str) -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("{region}_Nx{}", &hex[..7])
}

/// A client id that exists nowhere: 26 lowercase alphanumerics like AWS's.
pub fn unknown_client_id() -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    hex[..26].to_owned()
}
