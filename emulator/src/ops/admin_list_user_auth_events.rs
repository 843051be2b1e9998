use serde::{Deserialize, Serialize};

use super::{page_token, with_admin_user_read, Cx, Operation};
use crate::error::ServiceError;
use crate::wire::AuthEventType;

pub struct AdminListUserAuthEvents;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
    max_results: Option<usize>,
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    auth_events: Vec<AuthEventType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

impl Operation for AdminListUserAuthEvents {
    const NAME: &'static str = "AdminListUserAuthEvents";
    type Request = Request;
    type Response = Response;

    /// The user's latest sign-in attempts, newest first, `MaxResults` (0 or absent: 60) a page.
    /// Deviation: AWS answers only pools with threat protection (UserPoolAddOnNotEnabledException
    /// otherwise, per a peer's report); here every pool keeps the last 50 events of each user,
    /// without risk scores.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        let limit = match request.max_results {
            None | Some(0) => 60,
            Some(n) => n,
        };
        let after = request
            .next_token
            .as_deref()
            .map(page_token::decode)
            .transpose()?;
        with_admin_user_read(cx, &request.user_pool_id, &request.username, |pool, key| {
            let user = &pool.users[key];
            let mut events = user.auth_events.iter().rev();
            if let Some(after) = &after {
                if !user.auth_events.iter().any(|e| e.event_id == *after) {
                    return Err(ServiceError::invalid_pagination_token());
                }
                events.by_ref().find(|e| e.event_id == *after);
            }
            let (page, next_token) = page_token::page(events, limit, |e| e.event_id.as_str());
            Ok(Response {
                auth_events: page.into_iter().map(AuthEventType::of).collect(),
                next_token,
            })
        })
    }
}
