use std::collections::HashMap;

use serde::Deserialize;

use super::{Cx, Operation};
use crate::auth::flow::{self, Api};
use crate::auth::SignInClient;
use crate::error::ServiceError;
use crate::wire::InitiateAuthResponse;

pub struct AdminInitiateAuth;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    client_id: String,
    auth_flow: String,
    #[serde(default)]
    auth_parameters: HashMap<String, String>,
}

impl Operation for AdminInitiateAuth {
    const NAME: &'static str = "AdminInitiateAuth";
    const COST: super::Cost = super::Cost::Crypto;
    type Request = Request;
    type Response = InitiateAuthResponse;

    /// The same state machine as InitiateAuth, with the admin flows (admin-sigv4-facts §1.12).
    fn run(cx: &Cx<'_>, request: Request) -> Result<InitiateAuthResponse, ServiceError> {
        let client =
            SignInClient::load_in_pool(cx.state, &request.user_pool_id, &request.client_id)?;
        let step = flow::initiate(
            cx.state,
            &client,
            Api::Admin,
            &request.auth_flow,
            &request.auth_parameters,
            cx.now,
        )?;
        Ok(step.into_response())
    }
}
