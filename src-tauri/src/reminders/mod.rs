//! Reminders: an OS notification when attention finds high findings the admin has not been
//! told about yet, at start and on each background refresh. A notification names keys,
//! connections and reasons (metadata the key list shows anyway), never a key, secret or
//! token; a click on it opens the finding in the Attention view.

pub mod desktop;

use std::collections::HashSet;
use std::sync::Mutex;

use keydesk_core::{Finding, Rule, Severity};

pub use desktop::{Notice, NoticeError};

/// How many findings a notification lists by name before "and N more".
const NAMED_AT_MOST: usize = 3;
/// Key and connection names are text a server or a user wrote: this long at most.
const NAME_CHARS: usize = 60;

/// One high finding, as a reminder names it.
#[derive(Debug, Clone, Copy)]
pub struct Reminded<'a> {
    /// The finding.
    pub finding: &'a Finding,
    /// The name of its connection.
    pub connection_name: &'a str,
}

/// Which findings a notification already told about, so each is told once. A finding that
/// goes away (fixed, snoozed) and comes back is told again.
#[derive(Debug, Default)]
pub struct ReminderLog {
    told: Mutex<HashSet<(String, String, Rule)>>,
}

impl ReminderLog {
    /// The high findings of `findings` not told about yet; from now on, the told ones are
    /// exactly the high findings of `findings`.
    pub fn take_new<'a>(&self, findings: &[Reminded<'a>]) -> Vec<Reminded<'a>> {
        let high: Vec<Reminded<'a>> = findings
            .iter()
            .filter(|reminded| reminded.finding.severity == Severity::High)
            .copied()
            .collect();
        let now_told: HashSet<(String, String, Rule)> = high
            .iter()
            .map(|reminded| identity(reminded.finding))
            .collect();
        let mut told = self
            .told
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let new = high
            .into_iter()
            .filter(|reminded| !told.contains(&identity(reminded.finding)))
            .collect();
        *told = now_told;
        new
    }
}

fn identity(finding: &Finding) -> (String, String, Rule) {
    (
        finding.connection_id.clone(),
        finding.key_id.clone(),
        finding.rule,
    )
}

/// The notification for `new` high findings; `None` when there are none.
pub fn notice(new: &[Reminded<'_>]) -> Option<Notice> {
    let first = new.first()?;
    let title = if new.len() == 1 {
        format!("{} needs attention", plain(&first.finding.key_name))
    } else {
        format!("{} keys need attention now", new.len())
    };
    let mut lines: Vec<String> = new
        .iter()
        .take(NAMED_AT_MOST)
        .map(|reminded| {
            format!(
                "{} ({}): {}",
                plain(&reminded.finding.key_name),
                plain(reminded.connection_name),
                plain(&reminded.finding.reason)
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

/// `text` cut to [`NAME_CHARS`] characters, one line, with the characters notification
/// servers read as markup (`<`, `>`, `&`) and control characters replaced, so a key named
/// `<a href=…>` shows as text.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(NAME_CHARS * 2));
    for (index, character) in text.chars().enumerate() {
        if index == NAME_CHARS {
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
    use keydesk_core::{Severity, SuggestedAction};

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
