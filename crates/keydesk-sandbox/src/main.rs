//! `keydesk-sandbox`: serve the four key-management APIs on 127.0.0.1.

fn main() {
    eprintln!("keydesk-sandbox: not built yet");
    std::process::exit(2);
}
