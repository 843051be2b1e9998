use serde::Deserialize;
use serde_json::{json, Value};

use super::{page_token, Cx, Operation};
use crate::error::ServiceError;

pub struct ListUserPools;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    max_results: usize,
    next_token: Option<String>,
}

impl Operation for ListUserPools {
    const NAME: &'static str = "ListUserPools";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let from = request
            .next_token
            .as_deref()
            .map(page_token::decode)
            .transpose()?;
        let (page, next) = cx
            .state
            .store
            .pools_page(from.as_deref(), request.max_results);
        let pools: Vec<Value> = page
            .iter()
            .map(|entry| {
                let pool = entry.read();
                json!({
                    "Id": pool.id,
                    "Name": pool.name,
                    "LambdaConfig": pool.settings.stored.get("LambdaConfig").cloned().unwrap_or(json!({})),
                    "LastModifiedDate": pool.last_modified.epoch_seconds_f64(),
                    "CreationDate": pool.created.epoch_seconds_f64(),
                })
            })
            .collect();
        let mut out = json!({ "UserPools": pools });
        if let Some(next) = next {
            out["NextToken"] = json!(page_token::encode(&next));
        }
        Ok(out)
    }
}
