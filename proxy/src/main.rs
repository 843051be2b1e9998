//! `cognito-proxy`: not written yet (see the crate docs).

fn main() {
    eprintln!("cognito-proxy: not implemented yet");
    std::process::exit(2);
}
