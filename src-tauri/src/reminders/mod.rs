//! Reminders: an OS notification when attention finds high findings the admin has not been
//! told about yet, at start and on each background refresh. A notification names keys,
//! connections and reasons (metadata the key list shows anyway), never a key, secret or
//! token; a click on it opens the finding in the Attention view.

pub mod desktop;
pub mod told;

use std::time::Duration;

use keydesk_core::Rule;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;
use tokio::time::Instant;

use crate::attention::AttentionReport;
use crate::state::AppState;

pub use desktop::{Notice, NoticeError};
pub use told::{Reminded, ReminderLog, Reminders};

/// Sent to the UI when the user clicks a reminder: show this finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, tauri_specta::Event)]
pub struct OpenFinding {
    /// The finding's connection.
    pub connection_id: String,
    /// The finding's key.
    pub key_id: String,
    /// The finding's rule.
    pub rule: Rule,
}

/// Sent to the UI after each background check, so the Attention view and its badges show
/// what it found and when, without a list of their own.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct AttentionChecked {
    /// What the check found.
    pub report: AttentionReport,
}

/// Starts the background checks for the app's life: the first `first_after` startup (so it
/// does not compete with the first list on screen), then every `reminder_minutes` of the
/// settings while they are on. Each check judges every connection (the later ones list them
/// again first), tells the UI, and notifies the high findings not told before.
pub fn spawn<R: Runtime>(app: &AppHandle<R>, first_after: Duration) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        state.startup.ready().await;
        let started = Instant::now();
        let mut last_check: Option<Instant> = None;
        loop {
            let Some(minutes) = interval_minutes(&state) else {
                state.reminders.settings_changed.notified().await;
                continue;
            };
            let due = match last_check {
                None => started + first_after,
                Some(last) => last + Duration::from_secs(u64::from(minutes) * 60),
            };
            tokio::select! {
                () = tokio::time::sleep_until(due) => {}
                () = state.reminders.settings_changed.notified() => continue,
            }
            check(&app, &state, last_check.is_some()).await;
            last_check = Some(Instant::now());
        }
    });
}

fn interval_minutes(state: &AppState) -> Option<u32> {
    match state.settings.snapshot() {
        Ok(stored) => stored.settings.reminder_minutes,
        Err(error) => {
            tracing::warn!(error = %error.message, "reminders paused: settings unreadable");
            None
        }
    }
}

/// One background check: judge, tell the UI, notify what is new.
async fn check<R: Runtime>(app: &AppHandle<R>, state: &AppState, refresh: bool) {
    let report = match crate::attention::attention(state, refresh, None).await {
        Ok(report) => report,
        Err(error) => {
            tracing::warn!(kind = ?error.kind, "background attention check failed");
            return;
        }
    };
    let reminded: Vec<Reminded<'_>> = report
        .items
        .iter()
        .map(|item| Reminded {
            finding: &item.finding,
            connection_name: &item.connection_name,
        })
        .collect();
    let new = state.reminders.told.take_new(&reminded);
    let target = new.first().map(|first| OpenFinding {
        connection_id: first.finding.connection_id.clone(),
        key_id: first.finding.key_id.clone(),
        rule: first.finding.rule,
    });
    let notice = notice(&new);
    drop(reminded);
    if let Err(error) = (AttentionChecked { report }).emit(app) {
        tracing::debug!(%error, "attention-checked event not sent");
    }
    let (Some(notice), Some(target)) = (notice, target) else {
        return;
    };
    let replaces = *state
        .reminders
        .shown
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let handle = app.clone();
    let shown = desktop::show(&notice, replaces, move || async move {
        crate::window::bring_main_forward(&handle);
        if let Err(error) = target.emit(&handle) {
            tracing::warn!(%error, "could not open the finding a reminder named");
        }
    })
    .await;
    match shown {
        Ok(id) => {
            *state
                .reminders
                .shown
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = id;
        }
        // No notification service (a bare session): the Attention view still shows it all.
        Err(error) => tracing::info!(%error, "reminder not shown"),
    }
}

/// How many findings a notification lists by name before "and N more".
const NAMED_AT_MOST: usize = 3;
/// Key and connection names are text a server or a user wrote: this long at most.
const NAME_CHARS: usize = 60;
/// A finding's reason is one sentence of Keydesk's, which quotes no more than a date.
const REASON_CHARS: usize = 200;

/// The notification for `new` high findings; `None` when there are none.
pub fn notice(new: &[Reminded<'_>]) -> Option<Notice> {
    let first = new.first()?;
    let title = if new.len() == 1 {
        format!(
            "{} needs attention",
            plain(&first.finding.key_name, NAME_CHARS)
        )
    } else {
        format!("{} keys need attention now", new.len())
    };
    let mut lines: Vec<String> = new
        .iter()
        .take(NAMED_AT_MOST)
        .map(|reminded| {
            format!(
                "{} ({}): {}",
                plain(&reminded.finding.key_name, NAME_CHARS),
                plain(reminded.connection_name, NAME_CHARS),
                plain(&reminded.finding.reason, REASON_CHARS)
            )
        })
        .collect();
    if new.len() > NAMED_AT_MOST {
        lines.push(format!("and {} more", new.len() - NAMED_AT_MOST));
    }
    Some(Notice {
        title,
        body: lines.join("\n"),
    })
}

/// `text` cut to `max` characters, one line, with the characters notification
/// servers read as markup (`<`, `>`, `&`) and control characters replaced, so a key named
/// `<a href=…>` shows as text.
fn plain(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 2));
    for (index, character) in text.chars().enumerate() {
        if index == max {
            out.push('…');
            break;
        }
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            character if keydesk_core::is_control_or_bidi(character) => out.push(' '),
            character => out.push(character),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use keydesk_core::{Finding, Severity, SuggestedAction};

    use super::*;

    fn finding(key_id: &str, rule: Rule, severity: Severity) -> Finding {
        Finding {
            connection_id: "c-1".to_owned(),
            key_id: key_id.to_owned(),
            key_name: format!("key {key_id}"),
            rule,
            severity,
            reason: "Expires in 2 days.".to_owned(),
            action: SuggestedAction::Revoke,
            deadline: None,
        }
    }

    fn reminded(findings: &[Finding]) -> Vec<Reminded<'_>> {
        findings
            .iter()
            .map(|finding| Reminded {
                finding,
                connection_name: "Billing",
            })
            .collect()
    }

    fn ids(new: &[Reminded<'_>]) -> Vec<String> {
        new.iter()
            .map(|reminded| reminded.finding.key_id.clone())
            .collect()
    }

    #[test]
    fn only_high_findings_not_told_before_are_new() {
        let log = ReminderLog::default();
        let first = [
            finding("a", Rule::ExpiresSoon, Severity::High),
            finding("b", Rule::Stale, Severity::Medium),
        ];
        assert_eq!(ids(&log.take_new(&reminded(&first))), ["a"]);
        let second = [
            finding("a", Rule::ExpiresSoon, Severity::High),
            finding("c", Rule::RotationOverdue, Severity::High),
        ];
        assert_eq!(ids(&log.take_new(&reminded(&second))), ["c"]);
        // Gone once (fixed or snoozed), then back: told again.
        let _ = log.take_new(&reminded(&second[1..]));
        assert_eq!(ids(&log.take_new(&reminded(&second))), ["a"]);
    }

    #[test]
    fn the_same_key_under_another_rule_is_new() {
        let log = ReminderLog::default();
        let _ = log.take_new(&reminded(&[finding(
            "a",
            Rule::ExpiresSoon,
            Severity::High,
        )]));
        let next = [finding("a", Rule::Expired, Severity::High)];
        assert_eq!(ids(&log.take_new(&reminded(&next))), ["a"]);
    }

    #[test]
    fn one_finding_is_named_in_the_title_and_many_are_counted() {
        let one = [finding("a", Rule::ExpiresSoon, Severity::High)];
        let notice_one = notice(&reminded(&one)).unwrap();
        assert_eq!(notice_one.title, "key a needs attention");
        assert_eq!(notice_one.body, "key a (Billing): Expires in 2 days.");

        let five: Vec<Finding> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|id| finding(id, Rule::Expired, Severity::High))
            .collect();
        let notice_five = notice(&reminded(&five)).unwrap();
        assert_eq!(notice_five.title, "5 keys need attention now");
        let lines: Vec<&str> = notice_five.body.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[3], "and 2 more");
        assert!(notice(&[]).is_none());
    }

    #[test]
    fn names_are_shown_as_text_cut_short_on_one_line() {
        let mut evil = finding("a", Rule::Expired, Severity::High);
        evil.key_name = format!("<a href=\"x\">click</a>&\n\u{202e}{}", "x".repeat(100));
        let notice = notice(&reminded(std::slice::from_ref(&evil))).unwrap();
        assert!(
            notice
                .title
                .starts_with("&lt;a href=\"x\"&gt;click&lt;/a&gt;&amp;  x")
        );
        assert!(!notice.title.contains('<') && !notice.title.contains('\n'));
        assert!(notice.title.contains('…'));
    }
}
