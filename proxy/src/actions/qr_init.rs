//! `QR_init`: AssociateSoftwareToken, answered with `QR_code` (the secret, as the original)
//! plus, as deliberate differences, the `otpauth://` URI and a QR image of it (an SVG data
//! URL). TOTP MFA is turned on by `QR_TOTP` after verification: AWS refuses it before, which
//! is why the original's admin call here fails on AWS.

use base64::Engine;
use qrcode::render::svg;
use qrcode::QrCode;

use super::require;
use crate::error::Failure;
use crate::http::{Reply, Request};
use crate::Backend;

pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    let access_token = require(request, "access_token")?;
    let client = &backend.cognito.client;
    let output = client
        .associate_software_token()
        .access_token(access_token)
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    let secret = output.secret_code().ok_or(Failure::Cognito(None))?;
    // The authenticator shows the e-mail the user typed; without it, Cognito's username.
    let label = match request.field("user") {
        Some(user) => user.to_owned(),
        None => client
            .get_user()
            .access_token(access_token)
            .send()
            .await
            .map_err(|e| Failure::of(&e))?
            .username()
            .to_owned(),
    };
    let uri = otpauth_uri(&backend.totp_issuer, &label, secret);
    let image = QrCode::new(uri.as_bytes())
        .map_err(|_| Failure::Cognito(None))?
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    let data_url = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(image)
    );
    Ok(Reply::json(serde_json::json!({
        "QR_code": secret,
        "otpauth_uri": uri,
        "qr_image": data_url,
    })))
}

/// `otpauth://totp/{issuer}:{label}?secret={secret}&issuer={issuer}` (the Key Uri Format the
/// tutorial's resources give), with the label and issuer percent-encoded.
fn otpauth_uri(issuer: &str, label: &str, secret: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={secret}&issuer={issuer}",
        percent_encode(label)
    )
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::otpauth_uri;

    #[test]
    fn uri_follows_the_key_uri_format() {
        // Google Authenticator's Key Uri Format example, with this label and issuer.
        assert_eq!(
            otpauth_uri("Example Co", "alice@google.com", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/Example%20Co:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example%20Co"
        );
    }
}
