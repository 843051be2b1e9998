//! `cognito-conformance`: not written yet (see the crate docs).

fn main() {
    eprintln!("cognito-conformance: not implemented yet");
    std::process::exit(2);
}
