use serde::Deserialize;

use super::create_group::Response;
use super::{Cx, Operation};
use crate::error::ServiceError;
use crate::wire::GroupType;

pub struct UpdateGroup;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    group_name: String,
    user_pool_id: String,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
}

impl Operation for UpdateGroup {
    const NAME: &'static str = "UpdateGroup";
    type Request = Request;
    type Response = Response;

    /// Changes only the members given, and the last-modified date (CLI update-group example).
    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let mut pool = entry.write();
        let mut group = pool
            .group(&request.group_name)
            .cloned()
            .ok_or_else(ServiceError::group_not_found)?;
        if let Some(description) = request.description {
            group.description = Some(description);
        }
        if let Some(role_arn) = request.role_arn {
            group.role_arn = Some(role_arn);
        }
        if let Some(precedence) = request.precedence {
            group.precedence = Some(precedence);
        }
        group.last_modified = cx.now;
        let rendered = GroupType::of(&pool, &group);
        pool.put_group(group);
        Ok(Response { group: rendered })
    }
}
