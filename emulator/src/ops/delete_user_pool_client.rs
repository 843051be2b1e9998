use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::error::ServiceError;

pub struct DeleteUserPoolClient;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    client_id: String,
}

impl Operation for DeleteUserPoolClient {
    const NAME: &'static str = "DeleteUserPoolClient";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let mut pool = entry.write();
        if pool.clients.remove(&request.client_id).is_none() {
            return Err(ServiceError::client_not_found(&request.client_id));
        }
        cx.state.store.unindex_client(&request.client_id);
        Ok(json!({}))
    }
}
