//! What Keydesk remembers locally for the Attention view, one JSON file each in the data dir:
//! the annotations (owner, note, tags), the last inventory snapshot of each connection, the
//! keys that appeared or disappeared since, the snoozed and reviewed findings, and the keys
//! Keydesk revoked. Metadata only: never a
//! secret, never in the keyring.
//!
//! Each file is written like the settings file (a temporary file renamed over it), so a crash
//! leaves the old records or the new ones. A file that cannot be read is moved aside with a
//! startup notice and only that kind of record starts empty: the others are untouched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use keydesk_core::{Dismissal, InventorySnapshot, Key, NoticedChange};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{AppError, AppResult};
use crate::settings::{backup_path, remove_leftover_temps, write_atomically};
use keydesk_local::files::read_records as read;

/// The schema every record file is written with.
pub use keydesk_local::files::RECORDS_SCHEMA_VERSION as SCHEMA_VERSION;

/// Annotations by connection id, then key id (read by keydesk-cli's inventory too).
pub use keydesk_local::export::Annotations;
/// The last snapshot of each connection, by connection id. Each is shared: a change works on
/// a copy of the whole map ([`RecordFile::update`]), which then copies only the snapshot it
/// changes, not the thousands of keys of every connection.
pub type Snapshots = BTreeMap<String, Arc<InventorySnapshot>>;
/// Keys that appeared or disappeared outside Keydesk, not reviewed yet, by connection id.
pub type Changes = BTreeMap<String, Vec<NoticedChange>>;
/// Keys Keydesk revoked, by connection id, then key id.
pub type RevokedKeys = BTreeMap<String, BTreeMap<String, RevokedKey>>;

/// A key Keydesk revoked, as it was listed (without its raw provider JSON), so it stays
/// listed where the provider stops listing revoked keys.
#[derive(Debug, Clone, PartialEq)]
pub struct RevokedKey(pub Key);

impl Serialize for RevokedKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // `Key` leaves its raw JSON out, which its own deserializer then misses: write it
        // (empty, as the key is kept without it) so the file reads back.
        self.0.with_raw().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RevokedKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Key::deserialize(deserializer).map(RevokedKey)
    }
}

/// Every record file of the Attention view.
pub struct AttentionRecords {
    /// Owner, note and tags of keys.
    pub annotations: RecordFile<Annotations>,
    /// Each connection's list at the last look.
    pub snapshots: RecordFile<Snapshots>,
    /// Keys that appeared or disappeared outside Keydesk, until reviewed.
    pub changes: RecordFile<Changes>,
    /// Snoozed and reviewed findings.
    pub dismissals: RecordFile<Vec<Dismissal>>,
    /// Keys Keydesk revoked.
    pub revoked: RecordFile<RevokedKeys>,
}

impl AttentionRecords {
    /// Opens the record files in `data_dir`; a file that cannot be used adds a sentence to
    /// `notices` and starts empty.
    pub fn open(data_dir: &Path, notices: &mut Vec<String>) -> Self {
        Self {
            annotations: RecordFile::open(
                data_dir.join("annotations.json"),
                "annotations",
                notices,
            ),
            snapshots: RecordFile::open(
                data_dir.join("inventory-snapshots.json"),
                "inventory snapshots",
                notices,
            )
            .on_change(crate::start_frame::snapshots_changed)
            .compact()
            .written_behind(),
            changes: RecordFile::open(
                data_dir.join("noticed-changes.json"),
                "keys that appeared or disappeared",
                notices,
            ),
            dismissals: RecordFile::open(
                data_dir.join("dismissals.json"),
                "snoozed and reviewed findings",
                notices,
            ),
            revoked: RecordFile::open(data_dir.join("revoked-keys.json"), "revoked keys", notices),
        }
    }
}

/// What a record file holds, serialized straight from the records: a snapshot of thousands
/// of keys is not copied into a JSON tree first (that copy was the largest allocation of a
/// list's arrival, and the heap kept it after).
#[derive(Serialize)]
struct Document<'a, T> {
    schema_version: u32,
    records: &'a T,
}

/// One JSON file of records, cached in memory and written through on every change (or
/// behind it: [`Self::written_behind`]).
pub struct RecordFile<T> {
    path: PathBuf,
    /// What the file holds, for messages ("the annotations").
    what: &'static str,
    records: Mutex<T>,
    /// `false` when an unusable file could not be moved aside: it is never overwritten.
    writable: bool,
    /// Called after each change is written (see [`Self::on_change`]).
    on_change: Option<ChangeHook<T>>,
    /// Written without indentation (see [`Self::compact`]).
    compact: bool,
    /// Written after the change is kept, off the caller's thread (see [`Self::written_behind`]).
    behind: Option<Arc<Behind>>,
}

/// Where the writes of a file written behind its changes are: each change is numbered, and
/// the file on disk holds the records of change `written`.
#[derive(Default)]
struct Behind {
    /// The number of the last change kept in memory.
    latest: AtomicU64,
    /// The number of the change the file holds; locked while the file is written, so writes
    /// happen one at a time and never put an older change over a newer one.
    written: Mutex<u64>,
}

/// What [`RecordFile::on_change`] calls: the file's path, the records before and after.
pub type ChangeHook<T> = fn(&Path, &T, &T);

impl<T: Default + Clone + Serialize + DeserializeOwned + Send + 'static> RecordFile<T> {
    /// Opens the file at `path` (none yet: empty records). One that is corrupt or from a
    /// newer Keydesk is moved to a backup, with a sentence in `notices`.
    pub fn open(path: PathBuf, what: &'static str, notices: &mut Vec<String>) -> Self {
        remove_leftover_temps(&path);
        let (records, writable) = match read(&path) {
            Ok(records) => (records.unwrap_or_default(), true),
            Err(problem) => {
                let backup = backup_path(&path);
                match std::fs::rename(&path, &backup) {
                    Ok(()) => {
                        notices.push(format!(
                            "The file of {what} {problem}; Keydesk kept it as {} and started \
                             without them.",
                            backup.display()
                        ));
                        (T::default(), true)
                    }
                    Err(error) => {
                        tracing::warn!(%error, "could not back up a record file");
                        notices.push(format!(
                            "The file of {what} {problem} and could not be moved aside; \
                             Keydesk leaves {} as it is and keeps no {what} until it is moved.",
                            path.display()
                        ));
                        (T::default(), false)
                    }
                }
            }
        };
        Self {
            path,
            what,
            records: Mutex::new(records),
            writable,
            on_change: None,
            compact: false,
            behind: None,
        }
    }

    /// Writes the file without indentation. For the snapshots: the largest record file,
    /// written whole by every list (at 4 × 10,000 keys 11.8 MB instead of 19.5, and a list's
    /// write 87–114 ms instead of 143–189; BENCHMARKS.md). The small files stay indented for
    /// whoever reads them.
    pub fn compact(self) -> Self {
        Self {
            compact: true,
            ..self
        }
    }

    /// Keeps each change at once and writes the file behind it on the blocking pool; changes
    /// that come during a write go into the next one. For the snapshots, whose file every
    /// list wrote whole before its keys were answered (at 4 × 10,000 keys 87–114 ms on the
    /// async worker; BENCHMARKS.md). A write that fails is logged and the next change or
    /// [`Self::flush`] writes the file again; quitting flushes it, so only a crash can lose
    /// the last changes.
    pub fn written_behind(self) -> Self {
        Self {
            behind: Some(Arc::default()),
            ..self
        }
    }

    /// Calls `hook` after every change kept, still under the records' lock, so what it
    /// keeps in step with them (the start frame) sees the changes in the order they were made.
    pub fn on_change(self, hook: ChangeHook<T>) -> Self {
        Self {
            on_change: Some(hook),
            ..self
        }
    }

    /// Where the file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A copy of the records.
    pub fn get(&self) -> AppResult<T> {
        Ok(self.lock()?.clone())
    }

    /// Reads the records with `read`, without copying them.
    pub fn read<A>(&self, read: impl FnOnce(&T) -> A) -> AppResult<A> {
        Ok(read(&*self.lock()?))
    }

    /// Changes the records with `change`, writes them, and only then keeps them: a change
    /// that cannot be saved is not half-applied (a file written behind keeps the change and
    /// writes it after). A change that changed nothing writes nothing (every list updates
    /// several records; most lists change few of them).
    pub fn update<A>(&self, change: impl FnOnce(&mut T) -> A) -> AppResult<A>
    where
        T: PartialEq,
    {
        let mut records = self.lock()?;
        let mut next = records.clone();
        let answer = change(&mut next);
        if !self.writable {
            return Err(cannot_save(self.what));
        }
        if next == *records {
            return Ok(answer);
        }
        match &self.behind {
            Some(behind) => {
                let number = behind.latest.fetch_add(1, Ordering::SeqCst) + 1;
                self.write_behind(Arc::clone(behind), next.clone(), number);
            }
            None => self.write(&next)?,
        }
        let before = std::mem::replace(&mut *records, next);
        if let Some(hook) = self.on_change {
            hook(&self.path, &before, &records);
        }
        Ok(answer)
    }

    /// Writes the last change kept if the file does not hold it yet (a file written behind
    /// its changes; others are always written). Waits for a write under way.
    pub fn flush(&self) -> AppResult<()> {
        let Some(behind) = &self.behind else {
            return Ok(());
        };
        let mut written = lock_written(behind);
        let (records, number) = {
            let records = self.lock()?;
            (records.clone(), behind.latest.load(Ordering::SeqCst))
        };
        if number > *written {
            self.write(&records)?;
            *written = number;
        }
        Ok(())
    }

    /// Writes change `number` (`records`) on the blocking pool, unless a later change comes
    /// first: its own write will hold this one too.
    fn write_behind(&self, behind: Arc<Behind>, records: T, number: u64) {
        let (path, what, compact) = (self.path.clone(), self.what, self.compact);
        tauri::async_runtime::spawn_blocking(move || {
            if behind.latest.load(Ordering::SeqCst) > number {
                return;
            }
            let mut written = lock_written(&behind);
            if *written < number && write_records(&path, what, compact, &records).is_ok() {
                *written = number;
            }
        });
    }

    fn write(&self, records: &T) -> AppResult<()> {
        write_records(&self.path, self.what, self.compact, records)
    }

    fn lock(&self) -> AppResult<MutexGuard<'_, T>> {
        self.records
            .lock()
            .map_err(|_| AppError::internal(format!("The {} are poisoned.", self.what)))
    }
}

/// Writes `records`, the `what` of a record file, to `path` now (`compact`: without
/// indentation).
fn write_records<T: Serialize>(
    path: &Path,
    what: &'static str,
    compact: bool,
    records: &T,
) -> AppResult<()> {
    let document = Document {
        schema_version: SCHEMA_VERSION,
        records,
    };
    let bytes = if compact {
        serde_json::to_vec(&document)
    } else {
        serde_json::to_vec_pretty(&document)
    };
    let bytes = bytes.map_err(|_| cannot_save(what))?;
    write_atomically(path, &bytes).map_err(|error| {
        tracing::warn!(%error, what, "could not save a record file");
        cannot_save(what)
    })
}

fn cannot_save(what: &'static str) -> AppError {
    AppError::internal(format!("Could not save the {what}."))
}

/// The number of the change a file written behind holds. Only a number: a panic while it was
/// held leaves nothing half-changed.
fn lock_written(behind: &Behind) -> MutexGuard<'_, u64> {
    behind
        .written
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use keydesk_core::{Annotation, KeyStatus, Rule};

    use super::*;

    fn annotation(owner: &str) -> Annotation {
        Annotation {
            owner: Some(owner.into()),
            ..Annotation::default()
        }
    }

    /// The records in `dir`, with Ana as the owner of key k1 of connection c1.
    fn with_ana(dir: &Path, notices: &mut Vec<String>) -> AttentionRecords {
        let records = AttentionRecords::open(dir, notices);
        records
            .annotations
            .update(|all| {
                all.entry("c1".into())
                    .or_default()
                    .insert("k1".into(), annotation("ana"));
            })
            .unwrap();
        records
    }

    fn file_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn records_survive_a_reopen_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut notices = Vec::new();
        let records = with_ana(dir.path(), &mut notices);
        records
            .dismissals
            .update(|all| {
                all.push(Dismissal {
                    connection_id: "c1".into(),
                    key_id: "k1".into(),
                    rule: Rule::Stale,
                    until: None,
                });
            })
            .unwrap();
        let key = Key {
            id: "k2".into(),
            name: "revoked one".into(),
            masked: "sk_…1".into(),
            environment: None,
            scopes: vec!["read".into()],
            status: KeyStatus::Revoked,
            created_at: None,
            last_used_at: None,
            last_used_ip: None,
            expires_at: None,
            revoked_at: Some(chrono::Utc::now()),
            rotation: None,
            metadata: BTreeMap::new(),
            raw: Default::default(),
        };
        records
            .revoked
            .update(|all| {
                all.entry("c1".into())
                    .or_default()
                    .insert("k2".into(), RevokedKey(key.clone()));
            })
            .unwrap();
        assert_eq!(notices, Vec::<String>::new());
        assert_eq!(
            file_names(dir.path()),
            ["annotations.json", "dismissals.json", "revoked-keys.json"]
        );

        let again = AttentionRecords::open(dir.path(), &mut notices);
        assert_eq!(notices, Vec::<String>::new());
        assert_eq!(
            again.annotations.get().unwrap()["c1"]["k1"],
            annotation("ana")
        );
        assert_eq!(again.dismissals.get().unwrap().len(), 1);
        assert_eq!(again.revoked.get().unwrap()["c1"]["k2"], RevokedKey(key));
        assert!(again.snapshots.get().unwrap().is_empty());
    }

    #[test]
    fn the_snapshots_are_written_without_indentation_and_the_other_records_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut notices = Vec::new();
        let records = with_ana(dir.path(), &mut notices);
        let key = Key::bare("k1".into(), "n".into(), "sk_…1".into(), KeyStatus::Active);
        let snapshot = InventorySnapshot::of(std::slice::from_ref(&key), chrono::Utc::now());
        records
            .snapshots
            .update(|all| all.insert("c1".into(), Arc::new(snapshot.clone())))
            .unwrap();
        records.snapshots.flush().unwrap();
        let lines = |name: &str| {
            let text = fs::read_to_string(dir.path().join(name)).unwrap();
            text.lines().count()
        };
        assert_eq!(lines("inventory-snapshots.json"), 1);
        assert!(lines("annotations.json") > 1);

        let again = AttentionRecords::open(dir.path(), &mut notices);
        assert_eq!(notices, Vec::<String>::new());
        assert_eq!(*again.snapshots.get().unwrap()["c1"], snapshot);
    }

    /// A snapshot of one key named `name`.
    fn snapshot_of(name: &str) -> Arc<InventorySnapshot> {
        let key = Key::bare("k1".into(), name.into(), "sk_…1".into(), KeyStatus::Active);
        Arc::new(InventorySnapshot::of(&[key], chrono::Utc::now()))
    }

    #[test]
    fn the_snapshots_are_kept_at_once_and_written_behind_the_last_change_last() {
        let dir = tempfile::tempdir().unwrap();
        let mut notices = Vec::new();
        let records = AttentionRecords::open(dir.path(), &mut notices);
        let file = dir.path().join("inventory-snapshots.json");
        // Nothing can be written where a folder stands in the file's place.
        fs::create_dir_all(file.join("in the way")).unwrap();
        let (first, second, other) = (snapshot_of("a"), snapshot_of("b"), snapshot_of("c"));
        for (connection, snapshot) in [("c1", &first), ("c1", &second), ("c2", &other)] {
            let kept = records
                .snapshots
                .update(|all| all.insert(connection.into(), Arc::clone(snapshot)));
            assert!(kept.is_ok(), "a change is kept before it is written");
        }
        let held = records.snapshots.get().unwrap();
        assert!(Arc::ptr_eq(&held["c1"], &second) && Arc::ptr_eq(&held["c2"], &other));
        let error = records.snapshots.flush().unwrap_err();
        assert_eq!(error.message, "Could not save the inventory snapshots.");

        fs::remove_dir_all(&file).unwrap();
        records.snapshots.flush().unwrap();
        let again = AttentionRecords::open(dir.path(), &mut notices);
        assert_eq!(notices, Vec::<String>::new());
        let written = again.snapshots.get().unwrap();
        assert_eq!((&*written["c1"], &*written["c2"]), (&*second, &*other));
    }

    #[test]
    fn a_corrupt_file_is_kept_aside_and_the_others_stay() {
        let dir = tempfile::tempdir().unwrap();
        let mut notices = Vec::new();
        let records = with_ana(dir.path(), &mut notices);
        records.dismissals.update(|all| all.clear()).unwrap();
        fs::write(
            dir.path().join("dismissals.json"),
            b"{\"schema_version\": 1, \"rec",
        )
        .unwrap();
        fs::write(
            dir.path().join("revoked-keys.json"),
            b"{\"schema_version\": 99, \"records\": {}}",
        )
        .unwrap();
        // A crash between writing a temporary file and renaming it leaves the temporary.
        fs::write(dir.path().join(".annotations.json.123.tmp"), b"{\"half").unwrap();

        let again = AttentionRecords::open(dir.path(), &mut notices);
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(
            notices[0].contains("snoozed and reviewed findings was corrupt"),
            "{notices:?}"
        );
        assert!(notices[1].contains("newer Keydesk"), "{notices:?}");
        assert_eq!(
            again.annotations.get().unwrap()["c1"]["k1"],
            annotation("ana")
        );
        assert!(again.dismissals.get().unwrap().is_empty());
        let names = file_names(dir.path());
        assert_eq!(names.len(), 3, "{names:?}");
        assert_eq!(names[0], "annotations.json");
        assert!(names[1].starts_with("dismissals.json.") && names[1].ends_with(".bak"));
        assert!(names[2].starts_with("revoked-keys.json.") && names[2].ends_with(".bak"));
        // The kept copy is the file as it was.
        assert_eq!(
            fs::read(dir.path().join(&names[1])).unwrap(),
            b"{\"schema_version\": 1, \"rec"
        );
        // And the records start again in a new file.
        again
            .dismissals
            .update(|all| {
                all.push(Dismissal {
                    connection_id: "c1".into(),
                    key_id: "k1".into(),
                    rule: Rule::Unowned,
                    until: None,
                })
            })
            .unwrap();
        assert!(dir.path().join("dismissals.json").is_file());
    }
}
