use serde_json::{json, Map, Value};

use super::pool_settings::settings_from_request;
use super::{Cx, Operation};
use crate::error::ServiceError;

pub struct UpdateUserPool;

impl Operation for UpdateUserPool {
    const NAME: &'static str = "UpdateUserPool";
    type Request = Map<String, Value>;
    type Response = Value;

    /// AWS: settings omitted from the request return to their defaults; the name, schema,
    /// sign-in attributes and clients are not touched.
    fn run(cx: &Cx<'_>, request: Self::Request) -> Result<Value, ServiceError> {
        let id = request
            .get("UserPoolId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let entry = cx.state.store.pool(id)?;
        let mut pool = entry.write();
        pool.settings = settings_from_request(&request, pool.software_token_mfa_enabled)?;
        pool.last_modified = cx.now;
        Ok(json!({}))
    }
}
