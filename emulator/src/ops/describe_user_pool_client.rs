use serde::Deserialize;
use serde_json::{json, Value};

use super::client_settings::user_pool_client_type;
use super::{Cx, Operation};
use crate::error::ServiceError;

pub struct DescribeUserPoolClient;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    client_id: String,
}

impl Operation for DescribeUserPoolClient {
    const NAME: &'static str = "DescribeUserPoolClient";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let pool = entry.read();
        let client = pool
            .clients
            .get(&request.client_id)
            .ok_or_else(|| ServiceError::client_not_found(&request.client_id))?;
        Ok(json!({ "UserPoolClient": user_pool_client_type(client) }))
    }
}
