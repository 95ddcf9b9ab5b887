//! The clipboard guard against the real X clipboard, read from outside with xclip.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use keydesk_app::clipboard::{ClipboardChange, ClipboardGuard, ClipboardState};
use secrecy::SecretString;

use crate::support::app::{clipboard_turn, eventually, xclip_copy, xclip_output, xclip_targets};

/// A guard recording the events it sends.
fn guard() -> (ClipboardGuard, Arc<Mutex<Vec<ClipboardChange>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let guard = ClipboardGuard::new(move |change| sink.lock().unwrap().push(change));
    (guard, seen)
}

fn secret() -> (String, SecretString) {
    let text = format!("sk_test_{}", uuid::Uuid::new_v4().simple());
    (text.clone(), SecretString::from(text))
}

fn states(seen: &Mutex<Vec<ClipboardChange>>) -> Vec<ClipboardState> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|change| change.state)
        .collect()
}

#[test]
fn copy_puts_the_secret_there_and_clears_it_after_the_timeout() {
    let _turn = clipboard_turn();
    let (guard, seen) = guard();
    let (text, secret) = secret();

    let copied = guard
        .copy("reveal-1", &secret, Some(Duration::from_secs(2)))
        .unwrap();
    assert!(copied.clears_at.is_some());
    assert_eq!(xclip_output().as_deref(), Some(text.as_str()));
    assert_eq!(states(&seen), [ClipboardState::Copied]);

    assert!(
        eventually(Duration::from_secs(10), || states(&seen).len() == 2),
        "no clear event"
    );
    assert_eq!(
        states(&seen),
        [ClipboardState::Copied, ClipboardState::Cleared]
    );
    assert_ne!(xclip_output().as_deref(), Some(text.as_str()));
    assert_eq!(seen.lock().unwrap()[1].reveal_id, "reveal-1");
}

#[test]
fn something_copied_meanwhile_is_kept() {
    let _turn = clipboard_turn();
    let (guard, seen) = guard();
    let (_, secret) = secret();

    guard
        .copy("reveal-2", &secret, Some(Duration::from_secs(2)))
        .unwrap();
    xclip_copy("the user's own text");
    assert!(
        eventually(Duration::from_secs(10), || states(&seen).len() == 2),
        "no keep event"
    );
    assert_eq!(
        states(&seen),
        [ClipboardState::Copied, ClipboardState::Kept]
    );
    assert_eq!(xclip_output().as_deref(), Some("the user's own text"));
}

#[test]
fn shutdown_clears_a_secret_still_there() {
    let _turn = clipboard_turn();
    let (guard, seen) = guard();
    let (text, secret) = secret();

    // Auto-clear off: only quitting takes it away.
    let copied = guard.copy("reveal-3", &secret, None).unwrap();
    assert_eq!(copied.clears_at, None);
    assert_eq!(xclip_output().as_deref(), Some(text.as_str()));

    guard.clear_now();
    assert_ne!(xclip_output().as_deref(), Some(text.as_str()));
    assert_eq!(
        states(&seen),
        [ClipboardState::Copied, ClipboardState::Cleared]
    );
}

#[test]
fn copied_text_stays_and_a_secret_it_replaced_is_kept_not_cleared() {
    let _turn = clipboard_turn();
    let (guard, seen) = guard();
    let (_, secret) = secret();
    guard
        .copy("reveal-1", &secret, Some(Duration::from_secs(1)))
        .unwrap();
    guard.copy_text("Incident summary\nKey: pos-1").unwrap();
    assert_eq!(
        xclip_output().as_deref(),
        Some("Incident summary\nKey: pos-1")
    );
    assert!(
        eventually(Duration::from_secs(10), || states(&seen).len() == 2),
        "no event for the replaced secret"
    );
    assert_eq!(
        states(&seen),
        [ClipboardState::Copied, ClipboardState::Kept]
    );
    assert_eq!(
        xclip_output().as_deref(),
        Some("Incident summary\nKey: pos-1")
    );
}

/// Clipboard managers (Klipper, GPaste, …) skip a selection offering this target.
const PASSWORD_HINT: &str = "x-kde-passwordManagerHint";

#[test]
fn a_secret_is_marked_for_clipboard_managers_to_skip_and_plain_text_is_not() {
    let _turn = clipboard_turn();
    let (guard, _) = guard();
    let (text, secret) = secret();

    guard.copy("reveal-4", &secret, None).unwrap();
    assert_eq!(xclip_output().as_deref(), Some(text.as_str()));
    let targets = xclip_targets().unwrap();
    assert!(
        targets.lines().any(|target| target == PASSWORD_HINT),
        "{targets}"
    );

    guard.copy_text("Incident summary").unwrap();
    let targets = xclip_targets().unwrap();
    assert!(
        targets.lines().any(|target| target == "UTF8_STRING"),
        "{targets}"
    );
    assert!(
        !targets.lines().any(|target| target == PASSWORD_HINT),
        "{targets}"
    );
}
