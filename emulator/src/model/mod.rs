//! The domain: user pools, app clients, users and groups, as plain data.
//! No serde derives and no HTTP here; `ops/` converts to and from wire shapes.

mod app_client;
mod attributes;
mod directory;
mod expiring;
mod group;
mod user;
mod user_pool;

pub use app_client::{AppClient, TokenValidity, TokenValidityUnit};
pub use attributes::Attributes;
pub use directory::{alias_key, UserDirectory, UserMut, INDEXED_SEARCH_ATTRIBUTES};
pub use expiring::{Expiring, ExpiringMap};
pub use group::Group;
pub use user::{
    AuthEvent, AuthSession, Challenge, Credentials, PendingCode, RateWindows, SignInSession,
    SoftwareToken, SrpChallenge, User, UserStatus,
};
pub use user_pool::{
    AttributeDataType, PasswordPolicy, PendingSignIns, PoolSettings, SchemaAttribute, UserPool,
    UsernameMode, STANDARD_ATTRIBUTES,
};
