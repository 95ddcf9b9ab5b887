//! What the reminders remember: the high findings already told about, the notification shown
//! last, and a wake-up for changed settings. Types only: the checks are in [`super`].

use std::collections::HashSet;
use std::sync::Mutex;

use keydesk_core::{Finding, Rule, Severity};
use tokio::sync::Notify;

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

/// The reminders' state: what was told, and a wake-up for changed settings.
#[derive(Debug, Default)]
pub struct Reminders {
    pub(super) told: ReminderLog,
    pub(super) settings_changed: Notify,
    /// The notification shown last, replaced by the next one so they do not pile up.
    pub(super) shown: Mutex<u32>,
}

impl Reminders {
    /// The interval or the on/off switch may have changed: the schedule is read again.
    pub fn settings_changed(&self) {
        self.settings_changed.notify_one();
    }
}
