//! `GetCallerIdentity`: who signed the request. Any valid credentials may call it.

use super::{Node, StsCx, StsError};

pub fn run(cx: &StsCx<'_>) -> Result<Vec<Node>, StsError> {
    let account = &cx.state.config.account_id;
    let identity = &cx.principal.identity;
    Ok(vec![
        Node::Text("Arn", identity.arn(account)),
        Node::Text("UserId", identity.user_id(account)),
        Node::Text("Account", account.clone()),
    ])
}
