use serde::Deserialize;

use super::{Cx, Operation};
use crate::auth::policy::{self, Wording};
use crate::auth::{make_credentials, users};
use crate::error::ServiceError;
use crate::model::UserStatus;
use crate::wire::Empty;

pub struct AdminSetUserPassword;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
    password: String,
    #[serde(default)]
    permanent: bool,
}

impl Operation for AdminSetUserPassword {
    const NAME: &'static str = "AdminSetUserPassword";
    const COST: super::Cost = super::Cost::Hashing;
    type Request = Request;
    type Response = Empty;

    /// `Permanent`: the user is CONFIRMED with this password. Otherwise it is a temporary
    /// password (FORCE_CHANGE_PASSWORD, NEW_PASSWORD_REQUIRED at the next sign-in) valid for the
    /// pool's TemporaryPasswordValidityDays (admin-sigv4-facts §1.8).
    fn run(cx: &Cx<'_>, request: Request) -> Result<Empty, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let (pool_id, key, username, sub) = {
            let pool = entry.read();
            let key = users::require_admin(&pool, &request.username)?;
            policy::check(
                &pool.settings.password_policy,
                &request.password,
                Wording::Admin,
            )?;
            let user = &pool.users[&key];
            (
                pool.id.clone(),
                key,
                user.username.clone(),
                user.sub.clone(),
            )
        };
        // Hashing with no lock held.
        let credentials = make_credentials(cx.state, &pool_id, &username, &request.password);
        {
            let mut pool = entry.write();
            let pool = &mut *pool;
            let validity = pool
                .settings
                .password_policy
                .temporary_password_validity_days;
            let validity = std::time::Duration::from_secs(
                u64::from(if validity == 0 { 7 } else { validity }) * 24 * 3600,
            );
            // The same user, not one deleted and created again meanwhile.
            let Some(mut user) = pool.users.get_mut(&key).filter(|u| u.sub == sub) else {
                return Err(ServiceError::user_not_found());
            };
            user.credentials = Some(credentials);
            crate::auth::limits::clear_failures(&mut user);
            user.forgot_password_code = None;
            if request.permanent {
                user.status = UserStatus::Confirmed;
                user.temporary_password_expires = None;
            } else {
                user.status = UserStatus::ForceChangePassword;
                user.temporary_password_expires = Some(cx.now.plus(validity));
            }
            user.last_modified = cx.now;
        }
        Ok(Empty {})
    }
}
