use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::error::ServiceError;
use crate::model::UserPool;

pub struct GetUserPoolMfaConfig;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
}

impl Operation for GetUserPoolMfaConfig {
    const NAME: &'static str = "GetUserPoolMfaConfig";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let pool = entry.read();
        Ok(mfa_config(&pool))
    }
}

/// The answer of GetUserPoolMfaConfig and SetUserPoolMfaConfig.
pub fn mfa_config(pool: &UserPool) -> Value {
    let mut out = json!({
        "SoftwareTokenMfaConfiguration": { "Enabled": pool.software_token_mfa_enabled },
        "MfaConfiguration": pool.settings.mfa_configuration,
    });
    for (k, v) in &pool.stored_mfa {
        out[k] = v.clone();
    }
    out
}
