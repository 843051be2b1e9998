//! The domain: user pools, app clients and (later) users, as plain data.
//! No serde derives and no HTTP here; `ops/` converts to and from wire shapes.

mod app_client;
mod attributes;
mod user;
mod user_pool;

pub use app_client::{AppClient, TokenValidity, TokenValidityUnit};
pub use attributes::Attributes;
pub use user::{
    AuthSession, Credentials, MfaChallenge, PendingCode, SignInSession, SoftwareToken,
    SrpChallenge, User, UserStatus,
};
pub use user_pool::{
    AttributeDataType, PasswordPolicy, PoolSettings, SchemaAttribute, UserPool, UsernameMode,
    STANDARD_ATTRIBUTES,
};
