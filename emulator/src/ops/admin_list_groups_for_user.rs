use serde::Deserialize;

use super::list_groups::{page_size, Response};
use super::{page_token, with_admin_user_read, Cx, Operation};
use crate::error::ServiceError;
use crate::wire::GroupType;

pub struct AdminListGroupsForUser;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
    limit: Option<usize>,
    next_token: Option<String>,
}

impl Operation for AdminListGroupsForUser {
    const NAME: &'static str = "AdminListGroupsForUser";
    type Request = Request;
    type Response = Response;

    /// The user's groups by name (the order is not documented).
    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        let after = request
            .next_token
            .as_deref()
            .map(page_token::decode)
            .transpose()?;
        with_admin_user_read(cx, &request.user_pool_id, &request.username, |pool, key| {
            let names = pool.users[key].groups.range::<str, _>((
                after
                    .as_deref()
                    .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
                std::ops::Bound::Unbounded,
            ));
            let (page, next_token) =
                page_token::page(names, page_size(request.limit), |name| name.as_str());
            let groups = page
                .into_iter()
                .filter_map(|name| pool.group(name))
                .map(|g| GroupType::of(pool, g))
                .collect();
            Ok(Response { groups, next_token })
        })
    }
}
