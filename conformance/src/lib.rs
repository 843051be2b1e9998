//! Scenarios for Cognito user pools, written once against the official AWS SDK for Rust and run
//! unchanged against the in-process emulator, any running endpoint, or real Cognito.
//!
//! Code map:
//! - `target`: what the suite talks to (`Target`), chosen by flags or environment, and what it
//!   can do besides the API: read confirmation codes (the emulator's outbox) and move its clock.
//! - `ctx`: one scenario's view of the target (`Ctx`): unique names, the pools it must delete,
//!   and helpers for the steps every scenario repeats (a pool, a client, a confirmed user, tokens).
//! - `check`: the outcome types (`Stop`, `Step`) and assertions on SDK errors and values.
//! - `admin`: the steps the admin-API scenarios share (an ADMIN_USER_PASSWORD_AUTH client, users made
//!   by AdminCreateUser with a temporary password, AdminInitiateAuth, AdminGetUser).
//! - `jwt`: verifies tokens as a resource server does, against the pool's JWKS fetched from the target.
//! - `runner`: runs scenarios each in its own task with a timeout, cleans up, reports `Outcome`s.
//! - `scenarios`: one module per area; `for_each_scenario!` is the single list of them all.
//!
//! Invariants:
//! - Expected values come from AWS's documentation and the shared wire facts, never from the emulator's output.
//! - Every pool a scenario creates is registered before anything else can fail, and deleted afterwards
//!   even when the scenario failed, panicked or timed out: a run against AWS leaves nothing behind.
//! - A scenario that needs a capability the target lacks (codes, time) ends as SKIP with the reason, never as PASS.
//! - A misbehaving target (500s, garbage, hangs) fails the scenario at hand, never the run.
//! - Scenarios know nothing of the emulator: they see a `Target` and the SDK.
//!
//! Tested by `tests/suite.rs`: one test per scenario against a fresh in-process emulator.

pub mod admin;
pub mod check;
pub mod ctx;
pub mod jwt;
pub mod runner;
pub mod scenarios;
pub mod target;

pub use check::{Step, Stop};
pub use ctx::Ctx;
pub use runner::{Outcome, Report};
pub use target::{Target, TargetKind};

use std::future::Future;
use std::pin::Pin;

/// A boxed scenario future.
pub type BoxFuture = Pin<Box<dyn Future<Output = Step> + Send + 'static>>;

/// One user-visible behaviour of Cognito, checked end to end.
/// The runner owns the `Ctx` clone it hands over, so it can clean up after a panic or timeout.
pub struct Scenario {
    /// `area::behaviour`, e.g. `sign_in::wrong_password_is_not_authorized`; also the test's path.
    pub name: &'static str,
    pub run: fn(Ctx) -> BoxFuture,
}

/// Calls `$callback!` with every scenario, grouped by module: `{ area: [scenario, ...], ... }`.
/// The one list of scenarios: the registry (`SCENARIOS`) and the test functions are both generated from it.
#[macro_export]
macro_rules! for_each_scenario {
    ($callback:ident) => {
        $callback! {
            pools: [
                create_describe_delete,
                arn_and_id_look_like_aws,
                unknown_pool_is_resource_not_found,
                deleted_pool_is_resource_not_found,
                default_password_policy_is_documented,
                update_user_pool_changes_password_policy,
                add_custom_attributes_appear_in_schema,
                deletion_protection_blocks_delete,
                list_user_pools_paginates,
                mfa_config_defaults_to_off,
                mfa_config_round_trip,
            ],
            clients: [
                create_describe_update_delete,
                generated_secret_and_id_look_like_aws,
                unknown_client_is_resource_not_found,
                deleted_client_is_resource_not_found,
                list_user_pool_clients_paginates,
                token_revocation_is_on_by_default,
                token_validity_follows_the_client,
            ],
            credentials: [
                wrong_secret_is_invalid_signature,
                unknown_access_key_is_unrecognized_client,
                stale_signature_is_refused,
                slow_client_clock_is_corrected_from_the_date_header,
                foreign_region_in_the_scope_is_refused,
                session_credentials_sign_admin_calls,
                get_session_token_refuses_session_credentials,
                forged_session_token_is_unrecognized,
                session_shorter_than_900_seconds_is_validation_error,
                caller_identity_is_kept_by_session_credentials,
                sts_wrong_secret_is_signature_does_not_match,
                expired_session_credentials_are_refused,
            ],
            validation: [
                malformed_pool_id_is_rejected_with_pattern,
                malformed_client_id_is_rejected_with_pattern,
                pool_name_too_long_is_rejected,
                max_results_above_60_is_rejected,
                password_with_whitespace_is_rejected,
                missing_username_parameter_is_rejected,
            ],
            sign_up: [
                returns_sub_and_unconfirmed,
                code_delivery_is_masked,
                secret_hash_missing_is_not_authorized,
                secret_hash_wrong_is_not_authorized,
                username_taken_is_username_exists,
                email_taken_in_email_pool_is_username_exists,
                password_too_short_is_invalid_password,
                password_needs_uppercase,
                password_needs_lowercase,
                password_needs_numbers,
                password_needs_symbols,
                unknown_attribute_is_rejected,
                confirm_with_emailed_code,
                wrong_code_is_code_mismatch,
                confirm_twice_is_not_authorized,
                expired_code_is_expired_code,
                resend_code_sends_a_new_code,
                resend_to_confirmed_user_is_rejected,
                admin_confirm_sign_up_confirms,
                confirm_unknown_user_legacy_is_user_not_found,
            ],
            sign_in: [
                user_password_auth_returns_tokens,
                wrong_password_is_not_authorized,
                unconfirmed_user_is_user_not_confirmed,
                unknown_user_legacy_is_user_not_found,
                unknown_user_enabled_is_not_authorized,
                secret_hash_missing_is_not_authorized,
                secret_hash_wrong_is_not_authorized,
                flow_not_enabled_is_invalid_parameter,
                email_pool_signs_in_with_email,
                refresh_returns_new_tokens_without_refresh_token,
                refresh_secret_hash_over_internal_username,
                refresh_with_other_client_is_invalid,
                garbage_refresh_token_is_invalid,
            ],
            mfa: [
                software_token_sign_in,
                wrong_software_token_code_is_code_mismatch,
            ],
            srp: [
                user_srp_auth_signs_in,
                wrong_password_proof_is_not_authorized,
            ],
            tokens: [
                jwks_has_two_rsa_signing_keys,
                access_token_verifies_like_a_resource_server,
                id_token_verifies_like_a_resource_server,
                refreshed_tokens_keep_the_sign_in,
                edited_access_token_is_invalid,
                id_token_is_not_an_access_token,
                expired_access_token_is_rejected,
                expired_refresh_token_is_rejected,
                global_sign_out_revokes_tokens,
                revoke_token_revokes_the_sign_in,
                revoke_token_refuses_access_tokens,
                revocation_leaves_other_sign_ins_alone,
            ],
            account: [
                get_user_returns_attributes,
                update_user_attributes_changes_values,
                changed_email_becomes_unverified,
                attribute_verification_code_is_sent,
                verify_user_attribute_with_code,
                verify_user_attribute_wrong_code_is_code_mismatch,
                delete_user_attributes_removes_them,
                required_attribute_cannot_be_deleted,
                change_password_swaps_passwords,
                change_password_wrong_previous_is_not_authorized,
                change_password_enforces_policy,
                delete_user_removes_the_user,
            ],
            recovery: [
                forgot_password_round_trip,
                forgot_password_without_verified_channel_is_rejected,
                forgot_password_secret_hash_missing_is_not_authorized,
                confirm_forgot_password_wrong_code_is_code_mismatch,
                confirm_forgot_password_reused_code_is_expired,
                confirm_forgot_password_without_request_is_expired,
                confirm_forgot_password_expired_code_is_expired,
                confirm_forgot_password_enforces_policy,
            ],
            existence: [
                forgot_password_unknown_user_legacy_is_user_not_found,
                forgot_password_unknown_user_enabled_is_simulated,
                resend_unknown_user_legacy_is_user_not_found,
                resend_unknown_user_enabled_is_simulated,
                confirm_forgot_password_unknown_user_enabled_is_code_mismatch,
            ],
            admin_users: [
                created_user_must_change_password,
                email_pool_username_is_the_sub,
                existing_username_is_username_exists,
                resend_to_unknown_user_is_user_not_found,
                unknown_user_is_user_not_found,
                deleted_user_is_user_not_found,
                disabled_user_cannot_sign_in,
                enabled_user_signs_in_again,
                update_attributes_changes_values,
                delete_attributes_removes_them,
                permanent_password_confirms_the_user,
                temporary_password_forces_a_change,
                reset_of_force_change_password_user_is_refused,
                reset_password_requires_a_reset,
                global_sign_out_revokes_tokens,
                software_token_preference_needs_a_token,
                invitation_carries_the_temporary_password,
                temporary_password_expires,
            ],
            admin_auth: [
                admin_password_auth_returns_tokens,
                flow_not_enabled_is_invalid_parameter,
                user_password_auth_is_not_supported,
                temporary_password_is_challenged,
                admin_temporary_password_is_challenged,
                new_password_answer_confirms_the_user,
                admin_new_password_answer_confirms_the_user,
                provided_attribute_cannot_be_resent,
                answered_session_cannot_be_answered_again,
                missing_required_attribute_is_listed,
                answer_without_required_attribute_is_invalid,
                admin_refresh_returns_new_tokens,
                get_tokens_from_refresh_token_returns_new_tokens,
            ],
            groups: [
                create_and_get_echo_the_group,
                duplicate_group_is_group_exists,
                unknown_group_is_resource_not_found,
                update_keeps_creation_date,
                deleted_group_is_resource_not_found,
                list_groups_paginates,
                member_is_listed_both_ways,
                removed_member_leaves_the_group,
                adding_unknown_user_is_user_not_found,
                tokens_carry_groups,
                id_token_carries_roles_and_preferred_role,
            ],
            list_users: [
                exact_filter_matches_one_user,
                prefix_filter_matches_the_prefix,
                quoted_name_without_spaces_is_accepted,
                malformed_filter_is_rejected,
                limit_above_60_is_rejected,
                pagination_returns_each_user_once,
                attributes_to_get_restricts_attributes,
                user_status_filter_finds_force_change_password,
                status_filter_finds_disabled_users,
                filtered_results_are_sorted_ascending,
            ],
        }
    };
}

macro_rules! define_registry {
    ($($area:ident: [$($scenario:ident),* $(,)?]),* $(,)?) => {
        /// Every scenario, in the order `for_each_scenario!` lists them.
        pub static SCENARIOS: &[Scenario] = &[
            $($(
                Scenario {
                    name: concat!(stringify!($area), "::", stringify!($scenario)),
                    run: |ctx| Box::pin(scenarios::$area::$scenario(ctx)),
                },
            )*)*
        ];
    };
}

for_each_scenario!(define_registry);

/// The scenario called `name`, if any.
pub fn scenario(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}
