use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::error::ServiceError;

pub struct DeleteUserPool;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
}

impl Operation for DeleteUserPool {
    const NAME: &'static str = "DeleteUserPool";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        if entry.read().settings.deletion_protection {
            // AWS: DeletionProtection ACTIVE refuses the delete.
            return Err(ServiceError::invalid_parameter(
                "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
            ));
        }
        cx.state.store.remove_pool(&request.user_pool_id);
        cx.state.outbox.drop_pool(&request.user_pool_id);
        Ok(json!({}))
    }
}
