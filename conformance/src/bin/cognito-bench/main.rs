//! `cognito-bench`: not written yet.

fn main() {
    eprintln!("cognito-bench: not implemented yet");
    std::process::exit(2);
}
