use std::collections::HashMap;

use serde::Deserialize;

use super::{Cx, Operation};
use crate::auth::flow;
use crate::auth::SignInClient;
use crate::error::ServiceError;
use crate::wire::InitiateAuthResponse;

pub struct AdminRespondToAuthChallenge;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    client_id: String,
    challenge_name: String,
    session: Option<String>,
    #[serde(default)]
    challenge_responses: HashMap<String, String>,
}

impl Operation for AdminRespondToAuthChallenge {
    const NAME: &'static str = "AdminRespondToAuthChallenge";
    const COST: super::Cost = super::Cost::Crypto;
    type Request = Request;
    type Response = InitiateAuthResponse;

    /// RespondToAuthChallenge's contract, for a client of the named pool (admin-sigv4-facts §1.13).
    fn run(cx: &Cx<'_>, request: Request) -> Result<InitiateAuthResponse, ServiceError> {
        let client =
            SignInClient::load_in_pool(cx.state, &request.user_pool_id, &request.client_id)?;
        let step = flow::respond(
            cx.state,
            &client,
            &request.challenge_name,
            request.session.as_deref(),
            &request.challenge_responses,
            cx.now,
        )?;
        Ok(step.into_response())
    }
}
