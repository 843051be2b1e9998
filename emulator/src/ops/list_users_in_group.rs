use serde::{Deserialize, Serialize};

use super::list_groups::page_size;
use super::{page_token, Cx, Operation};
use crate::error::ServiceError;
use crate::wire::UserType;

pub struct ListUsersInGroup;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    group_name: String,
    limit: Option<usize>,
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    users: Vec<UserType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

impl Operation for ListUsersInGroup {
    const NAME: &'static str = "ListUsersInGroup";
    type Request = Request;
    type Response = Response;

    /// The members in the order of their keys; the token is the last key returned.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let pool = entry.read();
        let group = pool
            .group(&request.group_name)
            .ok_or_else(ServiceError::group_not_found)?;
        let after = request
            .next_token
            .as_deref()
            .map(page_token::decode)
            .transpose()?;
        let keys = group.members.range::<str, _>((
            after
                .as_deref()
                .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
            std::ops::Bound::Unbounded,
        ));
        let (page, next_token) =
            page_token::page(keys, page_size(request.limit), |key| key.as_str());
        Ok(Response {
            users: page
                .into_iter()
                .filter_map(|key| pool.users.get(key))
                .map(UserType::of)
                .collect(),
            next_token,
        })
    }
}
