use serde::Deserialize;

use super::{Cx, Operation};
use crate::error::ServiceError;
use crate::wire::Empty;

pub struct DeleteGroup;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    group_name: String,
    user_pool_id: String,
}

impl Operation for DeleteGroup {
    const NAME: &'static str = "DeleteGroup";
    type Request = Request;
    type Response = Empty;

    /// Deletes the group and detaches its members; their next tokens no longer name it
    /// (API reference; admin-sigv4-facts §3.2).
    fn run(cx: &Cx<'_>, request: Request) -> Result<Empty, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let mut pool = entry.write();
        pool.delete_group(&request.group_name)
            .ok_or_else(ServiceError::group_not_found)?;
        Ok(Empty {})
    }
}
