use serde::Deserialize;
use serde_json::{json, Value};

use super::client_settings::{build_client, user_pool_client_type, ClientSettingsInput};
use super::{Cx, Operation};
use crate::error::ServiceError;

pub struct UpdateUserPoolClient;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    client_id: String,
    #[serde(flatten)]
    settings: ClientSettingsInput,
}

impl Operation for UpdateUserPoolClient {
    const NAME: &'static str = "UpdateUserPoolClient";
    type Request = Request;
    type Response = Value;

    /// AWS: members omitted from the request return to their defaults; the id and secret stay.
    fn run(cx: &Cx<'_>, mut request: Request) -> Result<Value, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let mut pool = entry.write();
        let existing = pool
            .clients
            .get(&request.client_id)
            .ok_or_else(|| ServiceError::client_not_found(&request.client_id))?;
        if request.settings.client_name.is_none() {
            request.settings.client_name = Some(existing.client_name.clone());
        }
        let client = build_client(
            &pool,
            request.settings,
            existing.client_id.clone(),
            existing.client_secret.clone(),
            existing.created,
            cx.now,
            "updating",
        )?;
        let rendered = user_pool_client_type(&client);
        pool.clients.insert(request.client_id, client);
        Ok(json!({ "UserPoolClient": rendered }))
    }
}
