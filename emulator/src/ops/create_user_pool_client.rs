use serde::Deserialize;
use serde_json::{json, Value};

use super::client_settings::{build_client, user_pool_client_type, ClientSettingsInput};
use super::{Cx, Operation};
use crate::error::ServiceError;

pub struct CreateUserPoolClient;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    #[serde(default)]
    generate_secret: bool,
    #[serde(flatten)]
    settings: ClientSettingsInput,
}

impl Operation for CreateUserPoolClient {
    const NAME: &'static str = "CreateUserPoolClient";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let client_id = cx.state.ids.client_id();
        let secret = request
            .generate_secret
            .then(|| cx.state.ids.client_secret());
        let mut pool = entry.write();
        let client = build_client(
            &pool,
            request.settings,
            client_id.clone(),
            secret,
            cx.now,
            cx.now,
            "creating",
        )?;
        let rendered = user_pool_client_type(&client);
        pool.clients.insert(client_id.clone(), client);
        cx.state
            .store
            .index_client(&client_id, &request.user_pool_id);
        Ok(json!({ "UserPoolClient": rendered }))
    }
}
