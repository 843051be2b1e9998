use serde::{Deserialize, Serialize};

use super::{page_token, Cx, Operation};
use crate::error::ServiceError;
use crate::wire::GroupType;

pub struct ListGroups;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    limit: Option<usize>,
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    pub groups: Vec<GroupType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `Limit` absent or 0: the model's maximum, 60.
pub fn page_size(limit: Option<usize>) -> usize {
    match limit {
        None | Some(0) => 60,
        Some(n) => n,
    }
}

impl Operation for ListGroups {
    const NAME: &'static str = "ListGroups";
    type Request = Request;
    type Response = Response;

    /// By name; the token is the last name returned, so groups added or removed between pages
    /// never make one repeat or vanish.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let pool = entry.read();
        let after = request
            .next_token
            .as_deref()
            .map(page_token::decode)
            .transpose()?;
        let groups = pool
            .groups()
            .range::<str, _>((
                after
                    .as_deref()
                    .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
                std::ops::Bound::Unbounded,
            ))
            .map(|(_, g)| g);
        let (page, next_token) =
            page_token::page(groups, page_size(request.limit), |g| g.name.as_str());
        Ok(Response {
            groups: page.into_iter().map(|g| GroupType::of(&pool, g)).collect(),
            next_token,
        })
    }
}
