use std::collections::HashMap;

use serde::Deserialize;

use super::{Cx, Operation};
use crate::auth::flow::{self, Api};
use crate::auth::SignInClient;
use crate::error::ServiceError;
use crate::wire::InitiateAuthResponse;

pub struct InitiateAuth;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    auth_flow: String,
    #[serde(default)]
    auth_parameters: HashMap<String, String>,
    client_id: String,
}

impl Operation for InitiateAuth {
    const NAME: &'static str = "InitiateAuth";
    const COST: super::Cost = super::Cost::Crypto;
    type Request = Request;
    type Response = InitiateAuthResponse;

    fn run(cx: &Cx<'_>, request: Request) -> Result<InitiateAuthResponse, ServiceError> {
        let client = SignInClient::load(cx.state, &request.client_id)?;
        let step = flow::initiate(
            cx.state,
            &client,
            Api::Public,
            &request.auth_flow,
            &request.auth_parameters,
            cx.now,
        )?;
        Ok(step.into_response())
    }
}
