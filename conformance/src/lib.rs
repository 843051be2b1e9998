//! Scenario suite for Cognito user pools against the emulator, any endpoint, or real AWS.
//! Not written yet: this crate compiles so the workspace has its final shape.
