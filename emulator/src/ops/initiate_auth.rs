use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::{Cx, Operation};
use crate::auth::{flow, required_param, srp_auth, ClientCx};
use crate::error::{ErrorKind, ServiceError};

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
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let client = ClientCx::load(cx.state, &request.client_id)?;
        let params = &request.auth_parameters;
        let step = match request.auth_flow.as_str() {
            "USER_PASSWORD_AUTH" => {
                if !client.client.allows_flow("ALLOW_USER_PASSWORD_AUTH") {
                    return Err(ServiceError::invalid_parameter(
                        "USER_PASSWORD_AUTH flow not enabled for this client",
                    ));
                }
                let username = required_param(params, "USERNAME")?;
                let password = required_param(params, "PASSWORD")?;
                client
                    .check_secret_hash(username, params.get("SECRET_HASH").map(String::as_str))?;
                flow::password_auth(cx.state, &client, username, password, cx.now)?
            }
            "USER_SRP_AUTH" => {
                if !client.client.allows_flow("ALLOW_USER_SRP_AUTH") {
                    return Err(ServiceError::invalid_parameter(
                        "USER_SRP_AUTH flow not enabled for this client",
                    ));
                }
                let username = required_param(params, "USERNAME")?;
                let srp_a = required_param(params, "SRP_A")?;
                client
                    .check_secret_hash(username, params.get("SECRET_HASH").map(String::as_str))?;
                srp_auth::start(cx.state, &client, username, srp_a, cx.now)?
            }
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
                if !client.client.allows_flow("ALLOW_REFRESH_TOKEN_AUTH") {
                    return Err(ServiceError::invalid_parameter(
                        "Refresh Token flow not enabled for this client",
                    ));
                }
                let token = required_param(params, "REFRESH_TOKEN")?;
                flow::refresh_auth(
                    cx.state,
                    &client,
                    token,
                    params.get("SECRET_HASH").map(String::as_str),
                    cx.now,
                )?
            }
            // AWS: the admin flows belong to AdminInitiateAuth.
            "ADMIN_NO_SRP_AUTH" | "ADMIN_USER_PASSWORD_AUTH" => {
                return Err(ServiceError::invalid_parameter(
                    "Initiate Auth method not supported.",
                ));
            }
            other => {
                return Err(ServiceError::new(
                    ErrorKind::UnsupportedOperationException,
                    format!("The {other} flow is not implemented by this emulator yet."),
                ));
            }
        };
        Ok(step.into_response())
    }
}
