//! What needs an admin now, across connections: a pure function from the inventory, the
//! local annotations, the last snapshot and `now` to a sorted list of [`Finding`]s.
//!
//! A rule fires only where the provider reports the facts it needs: `never_used`, `stale`
//! and `grace_ending` need [`Capabilities::tracks_last_used`](crate::Capabilities);
//! `live_without_expiry` needs expiry support, which is derived here from the create form
//! having an `expires_in_days` field. `unowned` needs the annotations, `appeared` and
//! `disappeared` need a previous snapshot: without them (the CLI on its own) they do not fire.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet, btree_map};
use std::fmt;
use std::iter::Peekable;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
use serde_json::value::RawValue;

use crate::annotation::Annotation;
use crate::model::{Action, Environment, Key, KeyStatus, ProviderKind, word_enum};

/// Keys expiring within this many days are a high finding.
pub const EXPIRES_SOON_HIGH_DAYS: i64 = 7;
/// Keys expiring within this many days (and more than [`EXPIRES_SOON_HIGH_DAYS`]) are medium.
pub const EXPIRES_SOON_MEDIUM_DAYS: i64 = 30;
/// A key created more than this many days ago and never used is `never_used`.
pub const NEVER_USED_AFTER_DAYS: i64 = 14;
/// A rotated key whose grace ends within this many hours and that is still used is `grace_ending`.
pub const GRACE_ENDING_HOURS: i64 = 24;
/// Days without use after which a key is `stale`, unless configured otherwise.
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 90;

/// How urgent a finding is. Ordered: `Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look when convenient.
    Low,
    /// Should be dealt with this month.
    Medium,
    /// Needs action now.
    High,
}

word_enum! {
    /// The lowercase word used in JSON and on the command line.
    Severity {
        Low => "low",
        Medium => "medium",
        High => "high",
    }
    parse("severity", "high, medium or low")
}

/// Which rule a finding comes from; the names are the ones the issue fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Past its expiry (or reported expired) and neither revoked nor disabled: high.
    Expired,
    /// Expires within 7 days (high) or 30 days (medium).
    ExpiresSoon,
    /// Its automatic rotation was due and has not happened: high.
    RotationOverdue,
    /// A rotated key still used after the rotation whose grace ends within 24 hours: high.
    GraceEnding,
    /// Active, created more than 14 days ago and never used: medium.
    NeverUsed,
    /// Active and not used for the configured number of days: medium.
    Stale,
    /// An active live key that never expires, where the provider supports expiry: low.
    LiveWithoutExpiry,
    /// An active live key without an owner annotation: low.
    Unowned,
    /// A key made by a create whose secret never arrived, not yet resolved: high.
    Orphan,
    /// Listed now but not at the last look: medium.
    Appeared,
    /// Listed at the last look but not now: low.
    Disappeared,
}

word_enum! {
    /// The snake_case name used in JSON and on the command line.
    Rule {
        Expired => "expired",
        ExpiresSoon => "expires_soon",
        RotationOverdue => "rotation_overdue",
        GraceEnding => "grace_ending",
        NeverUsed => "never_used",
        Stale => "stale",
        LiveWithoutExpiry => "live_without_expiry",
        Unowned => "unowned",
        Orphan => "orphan",
        Appeared => "appeared",
        Disappeared => "disappeared",
    }
}

/// The one action a finding suggests, picked from what the provider supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SuggestedAction {
    /// Replace the key with a new one (Strait).
    Rotate,
    /// Replace the key with a successor and retire it the provider's way (providers that do
    /// not rotate).
    Replace,
    /// Invalidate the key for good.
    Revoke,
    /// Switch the key off (fiskaly, which cannot revoke).
    Disable,
    /// Record who owns the key.
    SetOwner,
    /// Look at the key and decide; the provider offers no action that fixes it.
    Review,
}

/// One thing that needs an admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Finding {
    /// The connection the key belongs to.
    pub connection_id: String,
    /// The provider's id for the key.
    pub key_id: String,
    /// The key's name (from the last snapshot for `disappeared`); text a server sent.
    pub key_name: String,
    /// Which rule fired.
    pub rule: Rule,
    /// How urgent it is.
    pub severity: Severity,
    /// One sentence naming the fact, e.g. "Expires in 3 days (5 Dec 2026)."
    pub reason: String,
    /// What to do about it.
    pub action: SuggestedAction,
    /// When it becomes (or became) a problem: the expiry, the due rotation or the end of
    /// the grace; `None` for rules without one.
    pub deadline: Option<DateTime<Utc>>,
}

/// Tunable thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct AttentionConfig {
    /// Days without use after which an active key is `stale`.
    pub stale_after_days: u32,
}

impl Default for AttentionConfig {
    fn default() -> Self {
        AttentionConfig {
            stale_after_days: DEFAULT_STALE_AFTER_DAYS,
        }
    }
}

/// Reads the keys of a snapshot. Each is every fact the keys table shows, without its raw
/// provider JSON (never a secret, and never serialized); snapshots written when they kept
/// only id, name, masked form and status read back with the other facts empty.
///
/// Each key is first taken as its JSON text, then read straight into a [`Key`]: at 4 × 10,000
/// keys this is 3–4 times faster than building a JSON tree of every key first, which only
/// the older snapshots need (BENCHMARKS.md).
fn snapshot_keys<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Key>, D::Error> {
    let keys = Vec::<Box<RawValue>>::deserialize(deserializer)?;
    keys.iter()
        .map(|key| snapshot_key(key.get()).map_err(D::Error::custom))
        .collect()
}

/// One key of a snapshot from its JSON text `json`, as written now or by an older Keydesk.
fn snapshot_key(json: &str) -> serde_json::Result<Key> {
    serde_json::from_str(json).or_else(|_| {
        let mut key: serde_json::Value = serde_json::from_str(json)?;
        if let Some(fields) = key.as_object_mut() {
            // What older snapshots did not keep is empty (a missing `Option` is `None` already).
            for (name, empty) in [("scopes", json!([])), ("metadata", json!({}))] {
                fields.entry(name).or_insert(empty);
            }
        }
        serde_json::from_value(key)
    })
}

/// The list of one connection at the last look, so the next list shows what appeared and
/// what disappeared since, and a start shows the keys before the provider answers. Holds no
/// secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InventorySnapshot {
    /// When the list was taken.
    pub taken_at: DateTime<Utc>,
    /// Every key listed then, without its raw JSON ([`Key::without_raw`]), so a start can
    /// paint the last known list before the provider answers.
    #[serde(deserialize_with = "snapshot_keys")]
    pub keys: Vec<Key>,
    /// Whether its keys hold every fact the list had, so they can stand in for the list on
    /// screen: `false` for a look recalled from elsewhere (the demo's history) and for
    /// snapshots written before they kept more than id, name, masked form and status.
    #[serde(default)]
    pub complete: bool,
}

impl InventorySnapshot {
    /// The snapshot of `keys` listed at `taken_at`.
    pub fn of(keys: &[Key], taken_at: DateTime<Utc>) -> Self {
        InventorySnapshot {
            taken_at,
            keys: keys.iter().map(Key::without_raw).collect(),
            complete: true,
        }
    }

    /// The key `id` as it was listed then.
    pub fn key(&self, id: &str) -> Option<&Key> {
        self.keys.iter().find(|key| key.id == id)
    }
}

impl InventorySnapshot {
    /// What changed between this look and `keys`, listed at `now`: keys listed now and not
    /// then appeared; keys listed then and not now disappeared, unless they were revoked
    /// then (Strait leaves revoked keys out of its list: dropping out changes nothing).
    pub fn changes(&self, keys: &[Key], now: DateTime<Utc>) -> Vec<NoticedChange> {
        let before: HashSet<&str> = self.keys.iter().map(|key| key.id.as_str()).collect();
        let listed: HashSet<&str> = keys.iter().map(|key| key.id.as_str()).collect();
        let change = |id: &str, name: &str, rule| NoticedChange {
            key_id: id.to_owned(),
            key_name: name.to_owned(),
            rule,
            since: self.taken_at,
            noticed_at: now,
        };
        let appeared = keys
            .iter()
            .filter(|key| !before.contains(key.id.as_str()))
            .map(|key| change(&key.id, &key.name, Rule::Appeared));
        let disappeared = self
            .keys
            .iter()
            .filter(|key| key.status != KeyStatus::Revoked && !listed.contains(key.id.as_str()))
            .map(|key| change(&key.id, &key.name, Rule::Disappeared));
        appeared.chain(disappeared).collect()
    }
}

/// A key that appeared in a connection's list, or disappeared from it, without Keydesk
/// doing it. Noticed by comparing a list with the look before ([`InventorySnapshot::changes`])
/// and kept by the caller until the admin reviews it, so a later list does not hide it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NoticedChange {
    /// The provider's id for the key.
    pub key_id: String,
    /// Its name when the change was noticed.
    pub key_name: String,
    /// [`Rule::Appeared`] or [`Rule::Disappeared`].
    pub rule: Rule,
    /// The look before the change: it happened after this.
    pub since: DateTime<Utc>,
    /// The look that noticed it.
    pub noticed_at: DateTime<Utc>,
}

impl NoticedChange {
    /// Whether the change still stands with `listed` keys: an appeared key is still listed,
    /// a disappeared key is still missing.
    pub fn stands(&self, listed: &HashSet<&str>) -> bool {
        let is_listed = listed.contains(self.key_id.as_str());
        match self.rule {
            Rule::Appeared => is_listed,
            Rule::Disappeared => !is_listed,
            _ => false,
        }
    }
}

/// A create whose secret never arrived made this key, and nobody has dealt with it yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrphanReport {
    /// The orphaned key.
    pub key_id: String,
    /// When the orphan was found.
    pub reported_at: DateTime<Utc>,
}

/// A finding the admin snoozed (`until` set) or marked reviewed (`until` empty: for good).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dismissal {
    /// The finding's connection.
    pub connection_id: String,
    /// The finding's key.
    pub key_id: String,
    /// The finding's rule.
    pub rule: Rule,
    /// Until when the finding stays out of the list; `None` for good.
    pub until: Option<DateTime<Utc>>,
}

impl Dismissal {
    /// Whether this still hides its finding at `now`.
    pub fn holds_at(&self, now: DateTime<Utc>) -> bool {
        self.until.is_none_or(|until| now < until)
    }
}

/// What attention knows about one connection. Borrowed, so 10,000 keys are not copied.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionInventory<'a> {
    /// The connection's id (the app's; the CLI uses the provider's name).
    pub connection_id: &'a str,
    /// Which provider, and so which facts its keys report.
    pub provider: ProviderKind,
    /// The keys listed now.
    pub keys: &'a [Key],
    /// Keys that appeared or disappeared outside Keydesk and were not reviewed yet; the
    /// caller notices them with [`InventorySnapshot::changes`], keeping the snapshot current
    /// after Keydesk's own creates and removals. Empty without snapshots (the CLI alone).
    pub changes: &'a [NoticedChange],
    /// Annotations by key id, when they are known; `unowned` needs them.
    pub annotations: Option<&'a BTreeMap<String, Annotation>>,
    /// Orphan reports not resolved yet.
    pub orphans: &'a [OrphanReport],
}

/// Everything [`attention`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct AttentionInput<'a> {
    /// Every connection to look at.
    pub connections: &'a [ConnectionInventory<'a>],
    /// Snoozed and reviewed findings, left out while they hold.
    pub dismissals: &'a [Dismissal],
    /// The time every rule is judged at.
    pub now: DateTime<Utc>,
    /// Thresholds.
    pub config: AttentionConfig,
}

/// Every finding across `input`'s connections, sorted by severity (high first), then the
/// soonest deadline (findings without one last), then connection, key and rule.
pub fn attention(input: &AttentionInput<'_>) -> Vec<Finding> {
    let mut dismissed: Vec<(&str, &str, Rule)> = input
        .dismissals
        .iter()
        .filter(|dismissal| dismissal.holds_at(input.now))
        .map(|dismissal| {
            (
                dismissal.connection_id.as_str(),
                dismissal.key_id.as_str(),
                dismissal.rule,
            )
        })
        .collect();
    dismissed.sort_unstable();
    // Connections in id order (stable: connections sharing an id keep their order), and each
    // one's keys in id order below, so the findings come out already sorted by connection,
    // key and rule.
    let mut connections: Vec<&ConnectionInventory<'_>> = input.connections.iter().collect();
    connections.sort_by_key(|connection| connection.connection_id);
    let shared_id = connections
        .windows(2)
        .any(|pair| pair[0].connection_id == pair[1].connection_id);
    // About a finding per key: room up front instead of growing (and copying) through
    // megabytes.
    let keys = input
        .connections
        .iter()
        .map(|connection| connection.keys.len())
        .sum();
    let mut findings = Findings {
        dismissed,
        list: Vec::with_capacity(keys),
        in_order: !shared_id,
    };
    for connection in connections {
        look_at(connection, input.now, input.config, &mut findings);
    }
    findings.into_sorted()
}

/// The findings so far, and the dismissals that keep some out.
struct Findings<'a> {
    /// (connection, key, rule) of the dismissals that hold, sorted for binary search.
    dismissed: Vec<(&'a str, &'a str, Rule)>,
    /// The findings that stay, in walk order. Built whole as the walk meets each key (its id
    /// and name are in cache then) and put in order where they lie: a second list of drafts
    /// or sorted copies would add megabytes that are freed and asked for again every call.
    list: Vec<Finding>,
    /// Whether `list` is in (connection, key, rule) order, as the walk leaves it unless a
    /// list repeats a key id or connections share an id.
    in_order: bool,
}

/// One finding before it is known whether it was dismissed; the reason is written only
/// for findings that stay.
struct Candidate<'a> {
    key_id: &'a str,
    key_name: &'a str,
    rule: Rule,
    severity: Severity,
    action: SuggestedAction,
    deadline: Option<DateTime<Utc>>,
}

impl<'a> Candidate<'a> {
    /// A finding about the key `key_id`, named `key_name`, without a deadline.
    fn undated(
        key_id: &'a str,
        key_name: &'a str,
        rule: Rule,
        severity: Severity,
        action: SuggestedAction,
    ) -> Self {
        Candidate {
            key_id,
            key_name,
            rule,
            severity,
            action,
            deadline: None,
        }
    }

    /// An undated finding that only a look at the key can settle.
    fn review(key_id: &'a str, key_name: &'a str, rule: Rule, severity: Severity) -> Self {
        Self::undated(key_id, key_name, rule, severity, SuggestedAction::Review)
    }
}

impl<'a> Findings<'a> {
    fn add(
        &mut self,
        connection_id: &'a str,
        candidate: Candidate<'a>,
        reason: impl FnOnce() -> String,
    ) {
        if self
            .dismissed
            .binary_search(&(connection_id, candidate.key_id, candidate.rule))
            .is_ok()
        {
            return;
        }
        self.list.push(Finding {
            connection_id: connection_id.to_owned(),
            key_id: candidate.key_id.to_owned(),
            key_name: candidate.key_name.to_owned(),
            rule: candidate.rule,
            severity: candidate.severity,
            action: candidate.action,
            deadline: candidate.deadline,
            reason: reason(),
        });
    }

    /// The findings in [`attention`]'s order.
    fn into_sorted(self) -> Vec<Finding> {
        let Findings {
            mut list, in_order, ..
        } = self;
        // Stable, so findings with the same severity and deadline keep the walk's order when
        // that is (connection, key, rule) order, and are put in it when not. Sorting indices
        // moves less than sorting the findings, and needs no second list of them.
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&list[a], &list[b]);
            let by_urgency = urgency(a).cmp(&urgency(b));
            if in_order {
                by_urgency
            } else {
                by_urgency.then_with(|| subject(a).cmp(&subject(b)))
            }
        });
        put_in_order(&mut list, &mut order);
        list
    }
}

/// The order of findings: severity (high first), then the soonest deadline (none last).
fn urgency(finding: &Finding) -> (Reverse<Severity>, bool, Option<DateTime<Utc>>) {
    (
        Reverse(finding.severity),
        finding.deadline.is_none(),
        finding.deadline,
    )
}

/// The order within one severity and deadline.
fn subject(finding: &Finding) -> (&str, &str, Rule) {
    (&finding.connection_id, &finding.key_id, finding.rule)
}

/// Moves `list[order[i]]` to `i` for every `i`, following each cycle of the permutation with
/// swaps; `order` is used up (each entry marked done once its place is filled).
fn put_in_order<T>(list: &mut [T], order: &mut [usize]) {
    const DONE: usize = usize::MAX;
    for start in 0..order.len() {
        let mut place = start;
        // The finding first at `start` moves along the cycle until its own place comes up.
        while let Some(&from) = order.get(place).filter(|&&from| from != DONE) {
            order[place] = DONE;
            if from == start {
                break;
            }
            list.swap(place, from);
            place = from;
        }
    }
}

/// What a provider reports and offers, as far as the rules care.
struct ProviderFacts {
    tracks_use: bool,
    supports_expiry: bool,
    /// For a key that should stop working: revoke, else disable, else look.
    retire: SuggestedAction,
    /// For a key that should be replaced: rotate, else look.
    replace: SuggestedAction,
}

impl ProviderFacts {
    fn of(provider: ProviderKind) -> Self {
        let caps = provider.capabilities();
        let retire = if caps.supports(Action::Revoke) {
            SuggestedAction::Revoke
        } else if caps.supports(Action::Disable) {
            SuggestedAction::Disable
        } else {
            SuggestedAction::Review
        };
        let replace = if caps.supports(Action::Rotate) {
            SuggestedAction::Rotate
        } else if caps.retirement.is_some() {
            SuggestedAction::Replace
        } else {
            SuggestedAction::Review
        };
        ProviderFacts {
            tracks_use: caps.tracks_last_used,
            // Capabilities has no expiry flag: a provider supports expiry when its create
            // form asks for a lifetime.
            supports_expiry: caps.field("expires_in_days").is_some(),
            retire,
            replace,
        }
    }
}

/// What attention meets a key by: a listed key, a remembered one, an orphan report.
trait KeyRecord {
    fn key_id(&self) -> &str;
}

impl KeyRecord for Key {
    fn key_id(&self) -> &str {
        &self.id
    }
}

impl KeyRecord for NoticedChange {
    fn key_id(&self) -> &str {
        &self.key_id
    }
}

impl KeyRecord for OrphanReport {
    fn key_id(&self) -> &str {
        &self.key_id
    }
}

/// `records` sorted by key id; stable, so records sharing an id keep their order. A list
/// that is already in id order costs one pass.
fn in_key_order<T: KeyRecord>(records: &[T]) -> Vec<&T> {
    let mut sorted: Vec<&T> = records.iter().collect();
    sorted.sort_by(|a, b| a.key_id().cmp(b.key_id()));
    sorted
}

/// The id at the front of `records`.
fn first_id<'a, T: KeyRecord>(records: &[&'a T]) -> Option<&'a str> {
    records.first().map(|record| record.key_id())
}

/// Takes the records at the front of `records` whose id is `id`.
fn take_id<'s, 'a, T: KeyRecord>(records: &mut &'s [&'a T], id: &str) -> &'s [&'a T] {
    let count = records
        .iter()
        .take_while(|record| record.key_id() == id)
        .count();
    let (taken, rest) = records.split_at(count);
    *records = rest;
    taken
}

/// The key listed under `id` in `listed` (in id order); the last one when the list
/// repeats an id.
fn listed_key<'a>(listed: &[&'a Key], id: &str) -> Option<&'a Key> {
    let end = listed.partition_point(|key| key.id.as_str() <= id);
    end.checked_sub(1)
        .and_then(|last| listed.get(last))
        .copied()
        .filter(|key| key.id == id)
}

/// Whether `key_id` is annotated with an owner, moving `annotations` (in id order) on to it.
fn has_owner(
    annotations: &mut Peekable<btree_map::Iter<'_, String, Annotation>>,
    key_id: &str,
) -> bool {
    while annotations
        .next_if(|(annotated, _)| annotated.as_str() < key_id)
        .is_some()
    {}
    annotations.peek().is_some_and(|(annotated, annotation)| {
        annotated.as_str() == key_id && annotation.owner().is_some()
    })
}

/// One connection as the rules for a listed key see it.
struct KeyRules<'a> {
    connection_id: &'a str,
    facts: ProviderFacts,
    /// The connection's keys in id order, to find a rotation's successor.
    listed: Vec<&'a Key>,
    now: DateTime<Utc>,
    stale_after: Duration,
}

fn look_at<'a>(
    connection: &ConnectionInventory<'a>,
    now: DateTime<Utc>,
    config: AttentionConfig,
    findings: &mut Findings<'a>,
) {
    let id = connection.connection_id;
    let rules = KeyRules {
        connection_id: id,
        facts: ProviderFacts::of(connection.provider),
        listed: in_key_order(connection.keys),
        now,
        stale_after: Duration::days(i64::from(config.stale_after_days)),
    };
    let changes = in_key_order(connection.changes);
    let orphans = in_key_order(connection.orphans);
    // Annotations iterate in id order too, so they are walked along instead of looked up.
    let mut annotations = connection
        .annotations
        .map(|annotations| annotations.iter().peekable());

    // The ids listed now, noticed as appeared or disappeared and reported orphaned, walked
    // together in id order: findings come out sorted, with no set of 10,000 ids to build.
    let (mut listed_rest, mut changes_rest, mut orphans_rest) = (
        rules.listed.as_slice(),
        changes.as_slice(),
        orphans.as_slice(),
    );
    while let Some(key_id) = [
        first_id(listed_rest),
        first_id(changes_rest),
        first_id(orphans_rest),
    ]
    .into_iter()
    .flatten()
    .min()
    {
        let now_listed = take_id(&mut listed_rest, key_id);
        if now_listed.len() > 1 {
            // Each key's findings come in rule order, but not two keys' with one id.
            findings.in_order = false;
        }
        let changed = take_id(&mut changes_rest, key_id);
        let orphaned = take_id(&mut orphans_rest, key_id);

        let owned = annotations
            .as_mut()
            .map(|annotations| has_owner(annotations, key_id));
        for key in now_listed {
            look_at_key(&rules, key, owned, findings);
        }

        look_at_presence(
            findings,
            id,
            rules.facts.retire,
            now_listed,
            changed,
            orphaned,
        );
    }
}

/// The walk's own rules for the records under one id: an orphan report on a listed key, and
/// a change noticed since an earlier look that still stands (an appeared key still listed, a
/// disappeared one still missing).
fn look_at_presence<'a>(
    findings: &mut Findings<'a>,
    connection_id: &'a str,
    retire: SuggestedAction,
    now_listed: &[&'a Key],
    changed: &[&'a NoticedChange],
    orphaned: &[&OrphanReport],
) {
    // An orphan no longer listed has nothing left to act on.
    let orphan = now_listed
        .last()
        .filter(|key| !matches!(key.status, KeyStatus::Revoked | KeyStatus::Disabled));
    if let Some(key) = orphan {
        for report in orphaned {
            let candidate =
                Candidate::undated(&key.id, &key.name, Rule::Orphan, Severity::High, retire);
            findings.add(connection_id, candidate, || {
                reason(format_args!(
                    "A create on {} made this key, but its secret never arrived.",
                    day(report.reported_at)
                ))
            });
        }
    }

    for change in changed {
        let taken = day(change.since);
        match (change.rule, now_listed.last()) {
            (Rule::Appeared, Some(key)) => {
                let candidate =
                    Candidate::review(&key.id, &key.name, Rule::Appeared, Severity::Medium);
                findings.add(connection_id, candidate, || {
                    reason(format_args!(
                        "Appeared since the last look ({taken}) without Keydesk creating it."
                    ))
                });
            }
            (Rule::Disappeared, None) => {
                let candidate = Candidate::review(
                    &change.key_id,
                    &change.key_name,
                    Rule::Disappeared,
                    Severity::Low,
                );
                findings.add(connection_id, candidate, || {
                    reason(format_args!(
                        "No longer listed since the last look ({taken}), and Keydesk did not \
                         remove it."
                    ))
                });
            }
            // A change that no longer stands: the key went again, or came back.
            _ => {}
        }
    }
}

/// The rules for one listed key; `owned` is whether it has an owner, `None` when the
/// annotations are not known.
fn look_at_key<'a>(
    rules: &KeyRules<'a>,
    key: &'a Key,
    owned: Option<bool>,
    findings: &mut Findings<'a>,
) {
    let KeyRules {
        connection_id: id,
        ref facts,
        ref listed,
        now,
        stale_after,
    } = *rules;
    let candidate = |rule, severity, action, deadline| Candidate {
        key_id: &key.id,
        key_name: &key.name,
        rule,
        severity,
        action,
        deadline,
    };
    if matches!(key.status, KeyStatus::Revoked | KeyStatus::Disabled) {
        return;
    }
    let rotation = key.rotation.as_ref();
    let rotated_away =
        key.status == KeyStatus::Rotating || rotation.is_some_and(|r| r.replaced_by.is_some());

    let expired_at = key.expires_at.filter(|at| *at <= now);
    // A rotated key past its grace is a finished rotation, not a forgotten key.
    if expired_at.is_some() || (key.status == KeyStatus::Expired && !rotated_away) {
        let action = facts.retire;
        findings.add(
            id,
            candidate(Rule::Expired, Severity::High, action, expired_at),
            || match expired_at {
                Some(at) => reason(format_args!(
                    "Expired {} ago ({}) and is neither revoked nor disabled.",
                    span(now - at),
                    day(at)
                )),
                None => "The provider reports it expired, and it is neither revoked nor disabled."
                    .to_owned(),
            },
        );
        return;
    }

    if rotated_away {
        let Some(until) = rotation.and_then(|r| r.grace_expires_at) else {
            return;
        };
        if until <= now || until - now > Duration::hours(GRACE_ENDING_HOURS) || !facts.tracks_use {
            return;
        }
        // The rotation happened when the successor was created.
        let rotated_at = rotation
            .and_then(|r| r.replaced_by.as_deref())
            .and_then(|successor| listed_key(listed, successor))
            .and_then(|successor| successor.created_at);
        let (Some(rotated_at), Some(used_at)) = (rotated_at, key.last_used_at) else {
            return;
        };
        if used_at <= rotated_at {
            return;
        }
        findings.add(
            id,
            candidate(Rule::GraceEnding, Severity::High, SuggestedAction::Review, Some(until)),
            || {
                reason(format_args!(
                    "Its rotation grace ends in {} ({}) and it was used {} ago, after the rotation.",
                    span(until - now),
                    minute(until),
                    span(now - used_at)
                ))
            },
        );
        return;
    }

    // An active key from here on.
    if let Some(at) = key.expires_at {
        let left = at - now;
        if left <= Duration::days(EXPIRES_SOON_MEDIUM_DAYS) {
            let severity = if left <= Duration::days(EXPIRES_SOON_HIGH_DAYS) {
                Severity::High
            } else {
                Severity::Medium
            };
            findings.add(
                id,
                candidate(Rule::ExpiresSoon, severity, facts.replace, Some(at)),
                || reason(format_args!("Expires in {} ({}).", span(left), day(at))),
            );
        }
    }

    if let Some(due) = rotation
        .and_then(|r| r.next_rotation_at)
        .filter(|due| *due <= now)
    {
        findings.add(
            id,
            candidate(
                Rule::RotationOverdue,
                Severity::High,
                facts.replace,
                Some(due),
            ),
            || {
                reason(format_args!(
                    "Its automatic rotation was due {} ago ({}).",
                    span(now - due),
                    day(due)
                ))
            },
        );
    }

    if facts.tracks_use {
        match (key.last_used_at, key.created_at) {
            (None, Some(created)) if now - created > Duration::days(NEVER_USED_AFTER_DAYS) => {
                findings.add(
                    id,
                    candidate(Rule::NeverUsed, Severity::Medium, facts.retire, None),
                    || {
                        reason(format_args!(
                            "Created {} ago ({}) and never used.",
                            span(now - created),
                            day(created)
                        ))
                    },
                );
            }
            (Some(used), _) if now - used >= stale_after => {
                findings.add(
                    id,
                    candidate(Rule::Stale, Severity::Medium, facts.retire, None),
                    || {
                        reason(format_args!(
                            "Last used {} ago ({}).",
                            span(now - used),
                            day(used)
                        ))
                    },
                );
            }
            _ => {}
        }
    }

    let live = key.environment == Some(Environment::Live);
    if live && facts.supports_expiry && key.expires_at.is_none() {
        findings.add(
            id,
            candidate(Rule::LiveWithoutExpiry, Severity::Low, facts.replace, None),
            || "A live key that never expires.".to_owned(),
        );
    }
    if let Some(owned) = owned {
        if live && !owned {
            findings.add(
                id,
                candidate(
                    Rule::Unowned,
                    Severity::Low,
                    SuggestedAction::SetOwner,
                    None,
                ),
                || "A live key with no owner.".to_owned(),
            );
        }
    }
}

// The reasons are written straight into their one String: 40,000 keys make tens of thousands
// of reasons, and a String per date and span, or chrono parsing a strftime pattern for each
// date, was most of attention's time.

/// Room for the longest reason (grace_ending's, about 110 bytes), so writing one allocates
/// once.
const REASON_CAPACITY: usize = 128;

/// A reason: `text` written into one String with room for it.
fn reason(text: fmt::Arguments<'_>) -> String {
    let mut reason = String::with_capacity(REASON_CAPACITY);
    // Writing to a String cannot fail.
    let _ = fmt::Write::write_fmt(&mut reason, text);
    reason
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A date as the reasons print it: "4 Dec 2026" (chrono's `%-d %b %Y`).
#[derive(Clone, Copy)]
struct Day(DateTime<Utc>);

fn day(at: DateTime<Utc>) -> Day {
    Day(at)
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One conversion to a calendar date, not one per field.
        let date = self.0.date_naive();
        let year = date.year();
        match MONTHS.get(date.month0() as usize) {
            Some(month) if (0..=9999).contains(&year) => {
                write!(f, "{} {month} {year:04}", date.day())
            }
            // Years chrono prints with a sign.
            _ => write!(f, "{}", self.0.format("%-d %b %Y")),
        }
    }
}

/// A date and minute: "4 Dec 2026 11:00 UTC" (chrono's `%-d %b %Y %H:%M UTC`).
struct Minute(DateTime<Utc>);

fn minute(at: DateTime<Utc>) -> Minute {
    Minute(at)
}

impl fmt::Display for Minute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Minute(at) = self;
        write!(f, "{} {:02}:{:02} UTC", Day(*at), at.hour(), at.minute())
    }
}

/// A length of time in its largest whole unit: "40 minutes", "1 hour", "3 days".
struct Span(Duration);

fn span(length: Duration) -> Span {
    Span(length)
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let length = self.0;
        let (count, unit) = if length < Duration::minutes(1) {
            return f.write_str("less than a minute");
        } else if length < Duration::hours(1) {
            (length.num_minutes(), "minute")
        } else if length < Duration::days(1) {
            (length.num_hours(), "hour")
        } else {
            (length.num_days(), "day")
        };
        if count == 1 {
            write!(f, "1 {unit}")
        } else {
            write!(f, "{count} {unit}s")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RawJson, Rotation};

    fn now() -> DateTime<Utc> {
        "2026-12-01T12:00:00Z".parse().unwrap()
    }

    fn days(n: i64) -> Duration {
        Duration::days(n)
    }

    /// An active live key created 30 days ago and used an hour ago: fires nothing anywhere.
    fn key(id: &str) -> Key {
        Key {
            id: id.into(),
            name: format!("{id} name"),
            masked: "sk_live_…abcd".into(),
            environment: Some(Environment::Live),
            scopes: Vec::new(),
            status: KeyStatus::Active,
            created_at: Some(now() - days(30)),
            last_used_at: Some(now() - Duration::hours(1)),
            last_used_ip: None,
            expires_at: Some(now() + days(200)),
            revoked_at: None,
            rotation: None,
            metadata: BTreeMap::new(),
            raw: RawJson::default(),
        }
    }

    /// [`key`] expiring `left` from now.
    fn expiring(id: &str, left: Duration) -> Key {
        Key {
            expires_at: Some(now() + left),
            ..key(id)
        }
    }

    /// [`key`] last used `ago`.
    fn used(id: &str, ago: Duration) -> Key {
        Key {
            last_used_at: Some(now() - ago),
            ..key(id)
        }
    }

    fn connection<'a>(provider: ProviderKind, keys: &'a [Key]) -> ConnectionInventory<'a> {
        ConnectionInventory {
            connection_id: "c1",
            provider,
            keys,
            changes: &[],
            annotations: None,
            orphans: &[],
        }
    }

    fn run(connections: &[ConnectionInventory<'_>], dismissals: &[Dismissal]) -> Vec<Finding> {
        attention(&AttentionInput {
            connections,
            dismissals,
            now: now(),
            config: AttentionConfig::default(),
        })
    }

    /// The findings of one connection, nothing dismissed.
    fn run_one(inventory: ConnectionInventory<'_>) -> Vec<Finding> {
        run(&[inventory], &[])
    }

    /// (key id, rule, severity) of every finding for `keys` on `provider`.
    fn fired(provider: ProviderKind, keys: &[Key]) -> Vec<(String, Rule, Severity)> {
        run_one(connection(provider, keys))
            .into_iter()
            .map(|finding| (finding.key_id, finding.rule, finding.severity))
            .collect()
    }

    /// (key id, rule, severity) of each of `findings`.
    fn summary(findings: &[Finding]) -> Vec<(&str, Rule, Severity)> {
        findings
            .iter()
            .map(|f| (f.key_id.as_str(), f.rule, f.severity))
            .collect()
    }

    /// (key id, rule, severity, suggested action) of each of `findings`.
    fn with_actions(findings: &[Finding]) -> Vec<(&str, Rule, Severity, SuggestedAction)> {
        findings
            .iter()
            .map(|f| (f.key_id.as_str(), f.rule, f.severity, f.action))
            .collect()
    }

    fn one(id: &str, rule: Rule, severity: Severity) -> Vec<(String, Rule, Severity)> {
        vec![(id.to_owned(), rule, severity)]
    }

    #[test]
    fn a_healthy_key_fires_nothing_on_any_provider() {
        for provider in ProviderKind::ALL {
            assert_eq!(fired(provider, &[key("k")]), [], "{provider}");
        }
    }

    #[test]
    fn expired_fires_past_the_expiry_or_when_reported_and_names_the_date() {
        let past = Key {
            expires_at: Some(now() - days(12)),
            ..key("past")
        };
        let findings = run_one(connection(ProviderKind::Oligon, &[past]));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].rule, Rule::Expired);
        assert_eq!(findings[0].severity, Severity::High);
        assert_eq!(findings[0].action, SuggestedAction::Revoke);
        assert_eq!(findings[0].deadline, Some(now() - days(12)));
        assert_eq!(
            findings[0].reason,
            "Expired 12 days ago (19 Nov 2026) and is neither revoked nor disabled."
        );
        let reported = Key {
            status: KeyStatus::Expired,
            expires_at: None,
            ..key("reported")
        };
        assert_eq!(
            fired(ProviderKind::Syncgram, &[reported]),
            one("reported", Rule::Expired, Severity::High)
        );
        let at_the_second = Key {
            expires_at: Some(now()),
            ..key("now")
        };
        assert_eq!(
            fired(ProviderKind::Strait, &[at_the_second]),
            one("now", Rule::Expired, Severity::High)
        );
    }

    #[test]
    fn expires_soon_is_high_up_to_7_days_and_medium_up_to_30() {
        let keys = [
            expiring("in-3-days", days(3)),
            expiring("exactly-7", days(7)),
            expiring("just-past-7", days(7) + Duration::seconds(1)),
            expiring("exactly-30", days(30)),
            expiring("just-past-30", days(30) + Duration::seconds(1)),
        ];
        let findings = run_one(connection(ProviderKind::Strait, &keys));
        assert_eq!(
            with_actions(&findings),
            [
                (
                    "in-3-days",
                    Rule::ExpiresSoon,
                    Severity::High,
                    SuggestedAction::Rotate
                ),
                (
                    "exactly-7",
                    Rule::ExpiresSoon,
                    Severity::High,
                    SuggestedAction::Rotate
                ),
                (
                    "just-past-7",
                    Rule::ExpiresSoon,
                    Severity::Medium,
                    SuggestedAction::Rotate
                ),
                (
                    "exactly-30",
                    Rule::ExpiresSoon,
                    Severity::Medium,
                    SuggestedAction::Rotate
                ),
            ]
        );
        assert_eq!(findings[0].reason, "Expires in 3 days (4 Dec 2026).");
        // Without rotate, the suggestion is a replace.
        assert_eq!(
            run_one(connection(ProviderKind::Syncgram, &keys[..1]))[0].action,
            SuggestedAction::Replace
        );
    }

    #[test]
    fn rotation_overdue_fires_once_the_rotation_is_due() {
        let with_rotation = |id: &str, due: DateTime<Utc>| Key {
            rotation: Some(Rotation {
                interval_days: Some(30),
                next_rotation_at: Some(due),
                ..Rotation::default()
            }),
            ..key(id)
        };
        let keys = [
            with_rotation("overdue", now() - days(2)),
            with_rotation("due-now", now()),
            with_rotation("later", now() + Duration::minutes(1)),
        ];
        assert_eq!(
            fired(ProviderKind::Strait, &keys),
            [
                ("overdue".to_owned(), Rule::RotationOverdue, Severity::High),
                ("due-now".to_owned(), Rule::RotationOverdue, Severity::High),
            ]
        );
        assert_eq!(
            run_one(connection(ProviderKind::Strait, &keys[..1]))[0].reason,
            "Its automatic rotation was due 2 days ago (29 Nov 2026)."
        );
    }

    /// An old key rotated into "new" at `rotated_ago`, grace ending in `grace_left`, last
    /// used `used_ago`.
    fn rotated(rotated_ago: Duration, grace_left: Duration, used_ago: Duration) -> [Key; 2] {
        let old = Key {
            status: KeyStatus::Rotating,
            expires_at: None,
            last_used_at: Some(now() - used_ago),
            rotation: Some(Rotation {
                replaced_by: Some("new".into()),
                grace_expires_at: Some(now() + grace_left),
                ..Rotation::default()
            }),
            ..key("old")
        };
        let new = Key {
            created_at: Some(now() - rotated_ago),
            expires_at: Some(now() + days(200)),
            ..key("new")
        };
        [old, new]
    }

    #[test]
    fn grace_ending_needs_use_after_the_rotation_and_the_end_within_24_hours() {
        let minutes = Duration::minutes;
        let still_used = rotated(minutes(20), minutes(40), minutes(5));
        let findings = run_one(connection(ProviderKind::Strait, &still_used));
        assert_eq!(
            summary(&findings),
            [("old", Rule::GraceEnding, Severity::High)]
        );
        assert_eq!(findings[0].deadline, Some(now() + minutes(40)));
        assert_eq!(
            findings[0].reason,
            "Its rotation grace ends in 40 minutes (1 Dec 2026 12:40 UTC) and it was used 5 minutes ago, after the rotation."
        );
        let unused_since = rotated(minutes(20), minutes(40), minutes(30));
        assert_eq!(fired(ProviderKind::Strait, &unused_since), []);
        let used_at_the_rotation = rotated(minutes(20), minutes(40), minutes(20));
        assert_eq!(fired(ProviderKind::Strait, &used_at_the_rotation), []);
        let exactly_24h = rotated(minutes(20), Duration::hours(24), minutes(5));
        assert_eq!(
            fired(ProviderKind::Strait, &exactly_24h),
            one("old", Rule::GraceEnding, Severity::High)
        );
        let later = rotated(minutes(20), Duration::hours(24) + minutes(1), minutes(5));
        assert_eq!(fired(ProviderKind::Strait, &later), []);
        // Grace over: a finished rotation, not an expired key.
        let mut finished = rotated(days(31), -days(30), days(15));
        finished[0].status = KeyStatus::Expired;
        assert_eq!(fired(ProviderKind::Strait, &finished), []);
    }

    #[test]
    fn never_used_fires_after_14_days_where_use_is_tracked() {
        let unused = |id: &str, age: Duration| Key {
            created_at: Some(now() - age),
            last_used_at: None,
            ..key(id)
        };
        let keys = [
            unused("exactly-14", days(14)),
            unused("past-14", days(14) + Duration::seconds(1)),
        ];
        let findings = run_one(connection(ProviderKind::Oligon, &keys));
        assert_eq!(
            summary(&findings),
            [("past-14", Rule::NeverUsed, Severity::Medium)]
        );
        assert_eq!(
            findings[0].reason,
            "Created 14 days ago (17 Nov 2026) and never used."
        );
        assert_eq!(findings[0].action, SuggestedAction::Revoke);
        assert_eq!(
            fired(ProviderKind::Fiskaly, &keys),
            [],
            "fiskaly does not track use"
        );
    }

    #[test]
    fn stale_fires_at_90_days_or_the_configured_number_where_use_is_tracked() {
        let keys = [
            used("exactly-90", days(90)),
            used("almost-90", days(90) - Duration::seconds(1)),
            used("at-30", days(30)),
        ];
        assert_eq!(
            fired(ProviderKind::Syncgram, &keys),
            one("exactly-90", Rule::Stale, Severity::Medium)
        );
        assert_eq!(
            fired(ProviderKind::Fiskaly, &keys),
            [],
            "fiskaly does not track use"
        );
        let findings = attention(&AttentionInput {
            connections: &[connection(ProviderKind::Oligon, &keys)],
            dismissals: &[],
            now: now(),
            config: AttentionConfig {
                stale_after_days: 30,
            },
        });
        let stale: Vec<_> = findings.iter().map(|f| f.key_id.as_str()).collect();
        assert_eq!(stale, ["almost-90", "at-30", "exactly-90"]);
        assert_eq!(findings[2].reason, "Last used 90 days ago (2 Sep 2026).");
    }

    #[test]
    fn live_without_expiry_fires_only_where_the_provider_supports_expiry() {
        let forever = Key {
            expires_at: None,
            ..key("forever")
        };
        let test_forever = Key {
            environment: Some(Environment::Test),
            ..forever.clone()
        };
        let unknown_environment = Key {
            environment: None,
            ..forever.clone()
        };
        assert_eq!(
            fired(ProviderKind::Syncgram, std::slice::from_ref(&forever)),
            one("forever", Rule::LiveWithoutExpiry, Severity::Low)
        );
        assert_eq!(
            fired(ProviderKind::Strait, std::slice::from_ref(&forever)),
            one("forever", Rule::LiveWithoutExpiry, Severity::Low)
        );
        assert_eq!(
            fired(ProviderKind::Oligon, std::slice::from_ref(&forever)),
            []
        );
        assert_eq!(
            fired(ProviderKind::Fiskaly, std::slice::from_ref(&forever)),
            []
        );
        assert_eq!(
            fired(ProviderKind::Syncgram, &[test_forever, unknown_environment]),
            []
        );
    }

    #[test]
    fn unowned_fires_for_live_keys_only_when_annotations_are_known() {
        let keys = [
            key("owned"),
            key("blank-owner"),
            key("no-annotation"),
            Key {
                environment: Some(Environment::Test),
                ..key("test-key")
            },
        ];
        let mut annotations = BTreeMap::new();
        annotations.insert(
            "owned".to_owned(),
            Annotation {
                owner: Some("ana".into()),
                ..Annotation::default()
            },
        );
        annotations.insert(
            "blank-owner".to_owned(),
            Annotation {
                owner: Some(" ".into()),
                tags: vec!["billing".into()],
                ..Annotation::default()
            },
        );
        assert_eq!(
            fired(ProviderKind::Oligon, &keys),
            [],
            "no annotations known"
        );
        let findings = run_one(ConnectionInventory {
            annotations: Some(&annotations),
            ..connection(ProviderKind::Oligon, &keys)
        });
        assert_eq!(
            with_actions(&findings),
            [
                (
                    "blank-owner",
                    Rule::Unowned,
                    Severity::Low,
                    SuggestedAction::SetOwner
                ),
                (
                    "no-annotation",
                    Rule::Unowned,
                    Severity::Low,
                    SuggestedAction::SetOwner
                ),
            ]
        );
    }

    #[test]
    fn orphans_fire_while_the_key_is_listed_and_not_revoked() {
        let keys = [
            key("orphan"),
            Key {
                status: KeyStatus::Revoked,
                ..key("revoked-orphan")
            },
        ];
        let reported_at = now() - Duration::hours(3);
        let orphans = ["orphan", "revoked-orphan", "gone"].map(|id| OrphanReport {
            key_id: id.into(),
            reported_at,
        });
        for (provider, action) in [
            (ProviderKind::Oligon, SuggestedAction::Revoke),
            (ProviderKind::Fiskaly, SuggestedAction::Disable),
        ] {
            let findings = run_one(ConnectionInventory {
                orphans: &orphans,
                ..connection(provider, &keys)
            });
            assert_eq!(
                summary(&findings),
                [("orphan", Rule::Orphan, Severity::High)]
            );
            assert_eq!(findings[0].action, action, "{provider}");
            assert_eq!(
                findings[0].reason,
                "A create on 1 Dec 2026 made this key, but its secret never arrived."
            );
        }
    }

    #[test]
    fn appeared_and_disappeared_compare_with_the_last_snapshot() {
        let before = [
            key("kept"),
            key("removed"),
            Key {
                status: KeyStatus::Revoked,
                ..key("revoked-then-dropped")
            },
        ];
        let snapshot = InventorySnapshot::of(&before, now() - days(1));
        let after = [key("kept"), key("new")];
        assert_eq!(
            fired(ProviderKind::Strait, &after),
            [],
            "no changes noticed, none fire"
        );
        let changes = snapshot.changes(&after, now());
        assert!(changes.iter().all(|change| change.since == now() - days(1)));
        assert!(changes.iter().all(|change| change.noticed_at == now()));
        let findings = run_one(ConnectionInventory {
            changes: &changes,
            ..connection(ProviderKind::Strait, &after)
        });
        let got: Vec<_> = findings
            .iter()
            .map(|f| (f.key_id.as_str(), f.key_name.as_str(), f.rule, f.severity))
            .collect();
        assert_eq!(
            got,
            [
                ("new", "new name", Rule::Appeared, Severity::Medium),
                ("removed", "removed name", Rule::Disappeared, Severity::Low),
            ]
        );
        assert_eq!(
            findings[0].reason,
            "Appeared since the last look (30 Nov 2026) without Keydesk creating it."
        );
        assert_eq!(
            findings[1].reason,
            "No longer listed since the last look (30 Nov 2026), and Keydesk did not remove it."
        );
        // A change that no longer stands fires nothing: the new key went, the removed one is
        // back.
        let later = [key("kept"), key("removed")];
        assert_eq!(
            run_one(ConnectionInventory {
                changes: &changes,
                ..connection(ProviderKind::Strait, &later)
            }),
            []
        );
    }

    #[test]
    fn revoked_and_disabled_keys_fire_nothing_but_appeared_and_disappeared() {
        // Everything that would fire on an active key: expired, never used, no owner.
        let troubled = |id: &str, status| Key {
            status,
            expires_at: Some(now() - days(3)),
            last_used_at: None,
            created_at: Some(now() - days(300)),
            rotation: Some(Rotation {
                next_rotation_at: Some(now() - days(1)),
                ..Rotation::default()
            }),
            ..key(id)
        };
        let keys = [
            troubled("revoked", KeyStatus::Revoked),
            troubled("disabled", KeyStatus::Disabled),
        ];
        let annotations = BTreeMap::new();
        let orphans = ["revoked", "disabled"].map(|id| OrphanReport {
            key_id: id.into(),
            reported_at: now(),
        });
        let snapshot = InventorySnapshot {
            taken_at: now() - days(1),
            keys: Vec::new(),
            complete: false,
        };
        let changes = snapshot.changes(&keys, now());
        for provider in ProviderKind::ALL {
            let findings = run_one(ConnectionInventory {
                annotations: Some(&annotations),
                orphans: &orphans,
                changes: &changes,
                ..connection(provider, &keys)
            });
            let rules: Vec<_> = findings.iter().map(|f| f.rule).collect();
            assert_eq!(rules, [Rule::Appeared, Rule::Appeared], "{provider}");
        }
    }

    #[test]
    fn snoozes_hold_until_they_end_and_reviews_hold_for_good() {
        let keys = [expiring("expiring", days(3)), used("stale", days(100))];
        let dismissal = |key_id: &str, rule, until| Dismissal {
            connection_id: "c1".into(),
            key_id: key_id.into(),
            rule,
            until,
        };
        let rules = |dismissals: &[Dismissal]| -> Vec<Rule> {
            run(&[connection(ProviderKind::Oligon, &keys)], dismissals)
                .into_iter()
                .map(|f| f.rule)
                .collect()
        };
        assert_eq!(rules(&[]), [Rule::ExpiresSoon, Rule::Stale]);
        let snoozed = [dismissal(
            "expiring",
            Rule::ExpiresSoon,
            Some(now() + days(7)),
        )];
        assert_eq!(rules(&snoozed), [Rule::Stale]);
        let snooze_over = [dismissal("expiring", Rule::ExpiresSoon, Some(now()))];
        assert_eq!(rules(&snooze_over), [Rule::ExpiresSoon, Rule::Stale]);
        let reviewed = [dismissal("stale", Rule::Stale, None)];
        assert_eq!(rules(&reviewed), [Rule::ExpiresSoon]);
        // A dismissal is for one rule of one key of one connection.
        let elsewhere = [
            dismissal("stale", Rule::NeverUsed, None),
            Dismissal {
                connection_id: "c2".into(),
                ..dismissal("expiring", Rule::ExpiresSoon, None)
            },
        ];
        assert_eq!(rules(&elsewhere), [Rule::ExpiresSoon, Rule::Stale]);
    }

    #[test]
    fn findings_sort_by_severity_then_deadline_then_connection_and_key() {
        let a = [used("a-stale", days(100)), expiring("a-soon-5", days(5))];
        let b = [
            expiring("b-soon-2", days(2)),
            expiring("b-soon-20", days(20)),
            used("b-stale", days(100)),
        ];
        let findings = run(
            &[
                ConnectionInventory {
                    connection_id: "b",
                    ..connection(ProviderKind::Oligon, &b)
                },
                ConnectionInventory {
                    connection_id: "a",
                    ..connection(ProviderKind::Oligon, &a)
                },
            ],
            &[],
        );
        let order: Vec<_> = findings.iter().map(|f| f.key_id.as_str()).collect();
        assert_eq!(
            order,
            ["b-soon-2", "a-soon-5", "b-soon-20", "a-stale", "b-stale"]
        );
    }

    #[test]
    fn the_order_is_a_plain_sort_whatever_order_the_lists_come_in() {
        /// `findings` put in the documented order by a plain stable sort.
        fn plainly_sorted(findings: &[Finding]) -> Vec<Finding> {
            let mut sorted = findings.to_vec();
            sorted.sort_by(|a, b| {
                b.severity
                    .cmp(&a.severity)
                    .then_with(|| match (a.deadline, b.deadline) {
                        (Some(a), Some(b)) => a.cmp(&b),
                        (Some(_), None) => std::cmp::Ordering::Less,
                        (None, Some(_)) => std::cmp::Ordering::Greater,
                        (None, None) => std::cmp::Ordering::Equal,
                    })
                    .then_with(|| a.connection_id.cmp(&b.connection_id))
                    .then_with(|| a.key_id.cmp(&b.key_id))
                    .then_with(|| a.rule.cmp(&b.rule))
            });
            sorted
        }
        /// "key name rule" of each finding of connection c1.
        fn in_c1(findings: &[Finding]) -> String {
            let named: Vec<String> = findings
                .iter()
                .filter(|f| f.connection_id == "c1")
                .map(|f| format!("{} {}", f.key_name, f.rule))
                .collect();
            named.join(", ")
        }
        let stale = |id: &str, name: &str| Key {
            name: name.into(),
            ..used(id, days(100))
        };
        let no_owners = BTreeMap::new();

        // Ids out of order, and an id listed twice: live keys without expiry or owner, so
        // each fires two rules of one severity.
        let forever = |name: &str| Key {
            name: name.into(),
            expires_at: None,
            ..key("d")
        };
        let repeating = [
            stale("m", "m"),
            forever("d-1"),
            expiring("k", days(3)),
            stale("a", "a"),
            forever("d-2"),
        ];
        let findings = run_one(ConnectionInventory {
            annotations: Some(&no_owners),
            ..connection(ProviderKind::Strait, &repeating)
        });
        assert_eq!(findings, plainly_sorted(&findings));
        // d-1 before d-2: keys sharing an id keep their list order.
        assert_eq!(
            in_c1(&findings),
            "k name expires_soon, a stale, m stale, a unowned, d-1 live_without_expiry, \
             d-2 live_without_expiry, d-1 unowned, d-2 unowned, k name unowned, m unowned"
        );

        // Two connections with one id, whose keys sort among each other, with keys that
        // appeared, disappeared or were orphaned.
        let first = [stale("m", "m"), expiring("k", days(3)), stale("a", "a")];
        let second = [stale("z", "z"), stale("b", "b"), key("e")];
        let before = InventorySnapshot::of(&[key("y"), key("b"), key("z")], now() - days(1));
        let changes = before.changes(&second, now());
        let orphans = ["z", "b", "gone"].map(|id| OrphanReport {
            key_id: id.into(),
            reported_at: now() - days(2),
        });
        let findings = run(
            &[
                connection(ProviderKind::Oligon, &first),
                ConnectionInventory {
                    connection_id: "b0",
                    ..connection(ProviderKind::Oligon, &first)
                },
                ConnectionInventory {
                    changes: &changes,
                    orphans: &orphans,
                    ..connection(ProviderKind::Oligon, &second)
                },
            ],
            &[],
        );
        assert_eq!(findings, plainly_sorted(&findings));
        assert_eq!(
            in_c1(&findings),
            "k name expires_soon, b orphan, z orphan, a stale, b stale, e name appeared, \
             m stale, z stale, y name disappeared"
        );
        assert_eq!(findings.len(), 12, "{findings:#?}");
    }

    #[test]
    fn putting_in_order_follows_every_cycle_of_the_order() {
        // Cycles of three and two, and a record already in its place.
        let mut list = ['a', 'b', 'c', 'd', 'e', 'f'];
        let mut order = [2, 0, 1, 4, 3, 5];
        put_in_order(&mut list, &mut order);
        assert_eq!(list, ['c', 'a', 'b', 'e', 'd', 'f']);
    }

    #[test]
    fn findings_serialize_in_snake_case() {
        let keys = [expiring("k1", days(3))];
        let findings = run_one(connection(ProviderKind::Strait, &keys));
        assert_eq!(
            serde_json::to_value(&findings).unwrap(),
            serde_json::json!([{
                "connection_id": "c1", "key_id": "k1", "key_name": "k1 name",
                "rule": "expires_soon", "severity": "high",
                "reason": "Expires in 3 days (4 Dec 2026).", "action": "rotate",
                "deadline": "2026-12-04T12:00:00Z"
            }])
        );
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert_eq!(
            "urgent".parse::<Severity>(),
            Err(r#"unknown severity "urgent": use high, medium or low"#.to_owned())
        );
        assert_eq!(Rule::LiveWithoutExpiry.to_string(), "live_without_expiry");
        assert!(Severity::High > Severity::Medium && Severity::Medium > Severity::Low);
    }

    #[test]
    fn spans_use_the_largest_whole_unit() {
        let span = |length| span(length).to_string();
        assert_eq!(span(Duration::seconds(30)), "less than a minute");
        assert_eq!(span(Duration::minutes(1)), "1 minute");
        assert_eq!(span(Duration::minutes(59)), "59 minutes");
        assert_eq!(span(Duration::minutes(90)), "1 hour");
        assert_eq!(span(Duration::hours(47)), "1 day");
        assert_eq!(span(days(3)), "3 days");
    }

    #[test]
    fn dates_print_as_chrono_formats_them() {
        let times = [
            "2026-12-04T11:05:00Z",
            "2026-01-31T00:00:59Z",
            "0999-06-01T23:59:00Z",
            "9999-12-31T23:59:59Z",
        ]
        .map(|text| text.parse::<DateTime<Utc>>().unwrap());
        let far = [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC];
        for at in times.into_iter().chain(far) {
            assert_eq!(day(at).to_string(), at.format("%-d %b %Y").to_string());
            assert_eq!(
                minute(at).to_string(),
                at.format("%-d %b %Y %H:%M UTC").to_string()
            );
        }
        assert_eq!(day(now()).to_string(), "1 Dec 2026");
    }

    #[test]
    fn a_snapshot_keeps_every_listed_fact_but_the_raw_json() {
        let listed = Key {
            scopes: vec!["keys:read".into()],
            last_used_ip: Some("192.0.2.7".into()),
            revoked_at: Some(now()),
            rotation: Some(Rotation {
                interval_days: Some(30),
                ..Rotation::default()
            }),
            metadata: BTreeMap::from([("environment_id".into(), "env_1".into())]),
            raw: RawJson::from(serde_json::json!({"id": "k1", "raw_only": true})),
            ..key("k1")
        };
        let snapshot = InventorySnapshot::of(std::slice::from_ref(&listed), now());
        assert_eq!(
            snapshot.keys,
            [listed.without_raw()],
            "kept without raw JSON"
        );
        assert_ne!(snapshot.keys[0], listed, "the raw JSON is dropped");
        assert_eq!(snapshot.key("k1"), Some(&snapshot.keys[0]));
        assert_eq!(snapshot.key("k2"), None);
        let json = serde_json::to_string(&snapshot).unwrap();
        assert!(!json.contains("raw_only"), "{json}");
        let read: InventorySnapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(read, snapshot);
        let shown = read.keys[0].clone();
        assert_eq!(shown, listed.without_raw());

        // A snapshot written when it kept four facts reads back with the others empty.
        let old = r#"{"taken_at":"2026-12-01T12:00:00Z","keys":[
            {"id":"k1","name":"n","masked":"sk_…1","status":"revoked"}]}"#;
        let old: InventorySnapshot = serde_json::from_str(old).unwrap();
        let bare = Key::bare("k1".into(), "n".into(), "sk_…1".into(), KeyStatus::Revoked);
        assert_eq!(old.keys, [bare]);
        assert!(
            snapshot.complete && !old.complete,
            "only a full list stands in for one"
        );
    }
}
