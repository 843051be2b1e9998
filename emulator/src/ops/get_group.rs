use serde::Deserialize;

use super::create_group::Response;
use super::{Cx, Operation};
use crate::error::ServiceError;
use crate::wire::GroupType;

pub struct GetGroup;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    group_name: String,
    user_pool_id: String,
}

impl Operation for GetGroup {
    const NAME: &'static str = "GetGroup";
    type Request = Request;
    type Response = Response;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let pool = entry.read();
        let group = pool
            .group(&request.group_name)
            .ok_or_else(ServiceError::group_not_found)?;
        Ok(Response {
            group: GroupType::of(&pool, group),
        })
    }
}
