//! `AssumeRole`: credentials for a session of any role ARN in the emulator's account. There
//! is no IAM here, so every role exists and trusts every caller of the account, except that,
//! as on AWS, the root user may not assume roles and a chained session lasts at most an hour.

use super::{credentials_node, duration_seconds, issue, Node, Params, StsCx, StsError};
use crate::credentials::{is_iam_name, Identity};

const MIN_SECONDS: u64 = 900;
/// The model allows 43200; AWS caps it further at the role's MaxSessionDuration, which every
/// role here is taken to allow (Deviation: AWS roles default to one hour).
const MAX_SECONDS: u64 = 43_200;
const DEFAULT_SECONDS: u64 = 3600;
/// AWS: role chaining limits a session to one hour.
const CHAINED_MAX_SECONDS: u64 = 3600;

pub fn run(cx: &StsCx<'_>, params: &Params) -> Result<Vec<Node>, StsError> {
    let mut failures = Vec::new();
    let role_arn = params.get("RoleArn");
    let session_name = params.get("RoleSessionName");
    match role_arn {
        None => failures.push(
            "Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
                .to_owned(),
        ),
        Some(arn) if arn.chars().count() < 20 => failures.push(format!("Value '{arn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20")),
        Some(arn) if arn.chars().count() > 2048 => failures.push(format!("Value '{arn}' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048")),
        Some(_) => {}
    }
    match session_name {
        None => failures.push(
            "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"
                .to_owned(),
        ),
        Some(name) if name.chars().count() < 2 => failures.push(format!("Value '{name}' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2")),
        Some(name) if name.chars().count() > 64 => failures.push(format!("Value '{name}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64")),
        Some(name) if !is_iam_name(name, 64) => failures.push(format!("Value '{name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")),
        Some(_) => {}
    }
    let requested = duration_seconds(params, MIN_SECONDS, MAX_SECONDS, &mut failures);
    let (Some(role_arn), Some(session_name), true) = (role_arn, session_name, failures.is_empty())
    else {
        return Err(StsError::validation(&failures));
    };
    let caller = &cx.principal.identity;
    if *caller == Identity::Root {
        return Err(StsError::access_denied(
            "Roles may not be assumed by root accounts.",
        ));
    }
    let account = &cx.state.config.account_id;
    let Some(role_name) = role_name(role_arn, account) else {
        return Err(StsError::access_denied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            caller.arn(account)
        )));
    };
    let chained = matches!(caller, Identity::AssumedRole { .. });
    let seconds = requested.unwrap_or(DEFAULT_SECONDS);
    if chained && seconds > CHAINED_MAX_SECONDS {
        return Err(StsError::new(
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            400,
        ));
    }
    let identity = Identity::AssumedRole {
        role_name: role_name.to_owned(),
        session_name: session_name.to_owned(),
    };
    let assumed_role_user = Node::Group(
        "AssumedRoleUser",
        vec![
            Node::Text("AssumedRoleId", identity.user_id(account)),
            Node::Text("Arn", identity.arn(account)),
        ],
    );
    Ok(vec![
        credentials_node(issue(cx, identity, seconds)),
        assumed_role_user,
    ])
}

/// The role's name from `arn:aws:iam::{account}:role/{path/}{name}`, if the ARN is a role of
/// this account.
fn role_name<'a>(arn: &'a str, account: &str) -> Option<&'a str> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (arn_account, resource) = rest.split_once(':')?;
    let path_and_name = resource.strip_prefix("role/")?;
    let name = path_and_name.rsplit('/').next()?;
    (arn_account == account && is_iam_name(name, 64)).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::role_name;

    #[test]
    fn role_arns_of_the_account_name_their_role() {
        let account = "123456789012";
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/demo", account),
            Some("demo")
        );
        assert_eq!(
            role_name(
                "arn:aws:iam::123456789012:role/service-role/app/admin",
                account
            ),
            Some("admin")
        );
        for other in [
            "arn:aws:iam::999999999999:role/demo",
            "arn:aws:iam::123456789012:user/demo",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:s3:::bucket/role/demo",
        ] {
            assert_eq!(role_name(other, account), None, "{other}");
        }
    }
}
