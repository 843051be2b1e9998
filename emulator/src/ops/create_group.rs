use serde::{Deserialize, Serialize};

use super::{Cx, Operation};
use crate::error::{ErrorKind, ServiceError};
use crate::model::Group;
use crate::wire::GroupType;

pub struct CreateGroup;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    group_name: String,
    user_pool_id: String,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    pub group: GroupType,
}

/// AWS: 10,000 groups per pool (developer guide, quotas).
const MAX_GROUPS: usize = 10_000;

impl Operation for CreateGroup {
    const NAME: &'static str = "CreateGroup";
    type Request = Request;
    type Response = Response;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let mut pool = entry.write();
        if pool.group(&request.group_name).is_some() {
            return Err(ServiceError::group_exists());
        }
        if pool.group_count() >= MAX_GROUPS {
            // The message is ours: AWS's text was not captured.
            return Err(ServiceError::new(
                ErrorKind::LimitExceededException,
                "The user pool has reached its limit of 10000 groups.",
            ));
        }
        let group = Group {
            name: request.group_name,
            description: request.description,
            role_arn: request.role_arn,
            precedence: request.precedence,
            created: cx.now,
            last_modified: cx.now,
            members: Default::default(),
        };
        let rendered = GroupType::of(&pool, &group);
        pool.put_group(group);
        Ok(Response { group: rendered })
    }
}
