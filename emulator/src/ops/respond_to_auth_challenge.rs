use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::{Cx, Operation};
use crate::auth::{mfa, srp_auth, ClientCx};
use crate::error::{ErrorKind, ServiceError};

pub struct RespondToAuthChallenge;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    client_id: String,
    challenge_name: String,
    session: Option<String>,
    #[serde(default)]
    challenge_responses: HashMap<String, String>,
}

impl Operation for RespondToAuthChallenge {
    const NAME: &'static str = "RespondToAuthChallenge";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let client = ClientCx::load(cx.state, &request.client_id)?;
        let step = match request.challenge_name.as_str() {
            // The SECRET_BLOCK identifies the challenge; a Session, if sent, is not needed.
            "PASSWORD_VERIFIER" => {
                srp_auth::answer(cx.state, &client, &request.challenge_responses, cx.now)?
            }
            "SOFTWARE_TOKEN_MFA" => mfa::answer_software_token(
                cx.state,
                &client,
                request.session.as_deref(),
                &request.challenge_responses,
                cx.now,
            )?,
            "MFA_SETUP" => mfa::answer_setup(
                cx.state,
                &client,
                request.session.as_deref(),
                &request.challenge_responses,
                cx.now,
            )?,
            other => {
                return Err(ServiceError::new(
                    ErrorKind::UnsupportedOperationException,
                    format!("The {other} challenge is not implemented by this emulator yet."),
                ));
            }
        };
        Ok(step.into_response())
    }
}
