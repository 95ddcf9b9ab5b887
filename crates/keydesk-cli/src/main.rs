//! `keydesk-cli`: manage API keys from a terminal through keydesk-core.

fn main() {
    eprintln!("keydesk-cli: not built yet");
    std::process::exit(2);
}
