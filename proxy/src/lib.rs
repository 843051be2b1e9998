//! The tutorial's account backend (port 3006, `POST /` with `{"env": ...}`), rebuilt in Rust.
//! Not written yet: this crate compiles so the workspace has its final shape.
