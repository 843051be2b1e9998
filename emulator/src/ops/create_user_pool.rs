use serde_json::{json, Map, Value};

use super::pool_settings::{initial_schema, settings_from_request, user_pool_type};
use super::{Cx, Operation};
use crate::error::ServiceError;
use crate::model::{UserPool, UsernameMode};

pub struct CreateUserPool;

impl Operation for CreateUserPool {
    const NAME: &'static str = "CreateUserPool";
    type Request = Map<String, Value>;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Self::Request) -> Result<Value, ServiceError> {
        let name = request
            .get("PoolName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let alias_attributes: Vec<String> = list(&request, "AliasAttributes");
        let username_attributes: Vec<String> = list(&request, "UsernameAttributes");
        if !alias_attributes.is_empty() && !username_attributes.is_empty() {
            return Err(ServiceError::invalid_parameter(
                "Only one of the parameters, UsernameAttributes or AliasAttributes, can be set.",
            ));
        }
        let schema = initial_schema(&request)?;
        let id = cx.state.ids.user_pool_id(&cx.state.config.region);
        let arn = format!(
            "arn:aws:cognito-idp:{}:{}:userpool/{id}",
            cx.state.config.region, cx.state.config.account_id
        );
        let username_mode = if username_attributes.is_empty() {
            UsernameMode::Username
        } else {
            UsernameMode::Attributes(username_attributes)
        };
        let case_sensitive = request
            .get("UsernameConfiguration")
            .and_then(|c| c.get("CaseSensitive"))
            .and_then(Value::as_bool);
        let pool = UserPool::new(
            id,
            name.to_owned(),
            arn,
            cx.now,
            settings_from_request(&request, false)?,
            username_mode,
            alias_attributes,
            schema,
            case_sensitive,
        );
        let rendered = user_pool_type(&pool);
        // Signing keys are generated on first use (see `pool_keys`).
        cx.state.store.insert_pool(pool);
        Ok(json!({ "UserPool": rendered }))
    }
}

fn list(request: &Map<String, Value>, name: &str) -> Vec<String> {
    request
        .get(name)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
