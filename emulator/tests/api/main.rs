//! The emulator's integration tests: one binary, one module per area.
//! Expected values come from AWS documentation and `shared/reference/cognito-wire-facts.md`
//! (cited per test), never from the emulator's own output.

mod accounts;
mod admin;
mod clients;
mod connections;
mod credentials;
mod fuzz;
mod limits;
mod list_users;
mod mfa;
mod persistence;
mod pools;
mod profile;
mod protocol;
mod sdk;
mod sessions;
mod srp;
mod sts;
mod support;
mod tidy;
mod tokens;
mod web_safety;
