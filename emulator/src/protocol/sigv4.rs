//! Recognises AWS Signature Version 4 `Authorization` headers. Signed Cognito operations
//! need one; for now any well-formed header is accepted (signatures are not verified,
//! see README "Known deviations").

use crate::error::ProtocolError;
use crate::ops::Principal;

/// Parses `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/cognito-idp/aws4_request,
/// SignedHeaders=host;x-amz-date, Signature=hex`.
pub fn parse_authorization(header: Option<&str>) -> Result<Principal, ProtocolError> {
    // AWS: a signed operation called without credentials.
    let Some(header) = header.filter(|h| !h.trim().is_empty()) else {
        return Err(ProtocolError::new(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let incomplete = |what: &str| {
        ProtocolError::new(
            "IncompleteSignatureException",
            format!("Authorization header requires '{what}' parameter. Authorization={header}"),
        )
    };
    let rest = header
        .strip_prefix("AWS4-HMAC-SHA256")
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| {
            ProtocolError::new(
                "IncompleteSignatureException",
                format!("Unsupported authorization type. Authorization={header}"),
            )
        })?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let credential = credential
        .filter(|c| !c.is_empty())
        .ok_or_else(|| incomplete("Credential"))?;
    signed_headers
        .filter(|s| !s.is_empty())
        .ok_or_else(|| incomplete("SignedHeaders"))?;
    let signature = signature
        .filter(|s| !s.is_empty())
        .ok_or_else(|| incomplete("Signature"))?;
    if !signature.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(incomplete("Signature"));
    }
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = scope[..] else {
        return Err(ProtocolError::new(
            "IncompleteSignatureException",
            format!("Credential should be scoped to a valid region, not '{credential}'."),
        ));
    };
    if access_key_id.is_empty()
        || date.len() != 8
        || !date.chars().all(|c| c.is_ascii_digit())
        || region.is_empty()
        || terminator != "aws4_request"
    {
        return Err(ProtocolError::new(
            "IncompleteSignatureException",
            format!("Credential should be scoped to a valid region, not '{credential}'."),
        ));
    }
    if service != "cognito-idp" {
        return Err(ProtocolError::new(
            "InvalidSignatureException",
            format!("Credential should be scoped to correct service: 'cognito-idp'. Credential={credential}"),
        ));
    }
    Ok(Principal {
        access_key_id: access_key_id.to_owned(),
        region: region.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shape of the header from the AWS SigV4 documentation ("Authorization header" example).
    const GOOD: &str = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;range;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";

    #[test]
    fn accepts_a_well_formed_header() {
        let signer = parse_authorization(Some(GOOD)).unwrap();
        assert_eq!(signer.access_key_id, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(signer.region, "us-east-1");
    }

    #[test]
    fn missing_header_is_missing_authentication_token() {
        let err = parse_authorization(None).unwrap_err();
        assert_eq!(err.type_name, "MissingAuthenticationTokenException");
    }

    #[test]
    fn malformed_headers_are_refused() {
        for bad in [
            "Bearer abc",
            "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab",
            "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/cognito-idp/aws4_request, Signature=ab",
            "AWS4-HMAC-SHA256 Credential=AKID/2013/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=ab",
            "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=zz",
        ] {
            assert!(parse_authorization(Some(bad)).is_err(), "{bad}");
        }
        let err = parse_authorization(Some(&GOOD.replace("cognito-idp", "s3"))).unwrap_err();
        assert_eq!(err.type_name, "InvalidSignatureException");
    }
}
