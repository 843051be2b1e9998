use serde::Deserialize;
use serde_json::{json, Value};

use super::{page_token, Cx, Operation};
use crate::error::ServiceError;

pub struct ListUserPoolClients;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    max_results: Option<usize>,
    next_token: Option<String>,
}

impl Operation for ListUserPoolClients {
    const NAME: &'static str = "ListUserPoolClients";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let pool = entry.read();
        let from = request
            .next_token
            .as_deref()
            .map(page_token::decode)
            .transpose()?;
        // AWS's page size when MaxResults is omitted.
        let limit = request.max_results.unwrap_or(60);
        let mut iter = pool
            .clients
            .range(from.unwrap_or_default()..)
            .map(|(_, c)| c);
        let page: Vec<Value> = iter
            .by_ref()
            .take(limit)
            .map(|c| json!({"ClientId": c.client_id, "UserPoolId": c.user_pool_id, "ClientName": c.client_name}))
            .collect();
        let mut out = json!({ "UserPoolClients": page });
        if let Some(next) = iter.next() {
            out["NextToken"] = json!(page_token::encode(&next.client_id));
        }
        Ok(out)
    }
}
