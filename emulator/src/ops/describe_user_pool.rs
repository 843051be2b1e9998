use serde::Deserialize;
use serde_json::{json, Value};

use super::pool_settings::user_pool_type;
use super::{Cx, Operation};
use crate::error::ServiceError;

pub struct DescribeUserPool;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
}

impl Operation for DescribeUserPool {
    const NAME: &'static str = "DescribeUserPool";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let pool = entry.read();
        Ok(json!({ "UserPool": user_pool_type(&pool) }))
    }
}
