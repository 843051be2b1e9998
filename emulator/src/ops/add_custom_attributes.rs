use serde::Deserialize;
use serde_json::{json, Value};

use super::pool_settings::add_custom_attributes;
use super::{Cx, Operation};
use crate::error::ServiceError;

pub struct AddCustomAttributes;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    custom_attributes: Vec<Value>,
}

impl Operation for AddCustomAttributes {
    const NAME: &'static str = "AddCustomAttributes";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let mut pool = entry.write();
        add_custom_attributes(&mut pool, &request.custom_attributes)?;
        pool.last_modified = cx.now;
        Ok(json!({}))
    }
}
