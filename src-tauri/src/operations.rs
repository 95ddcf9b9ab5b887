//! Operations the user can cancel: the UI names each long operation (list, revoke, create…)
//! with an id of its own choosing, and `cancel_operation` aborts the one with that id.
//!
//! Aborting drops the core future, so no further request is sent and nothing more is waited
//! for. A request already sent may still take effect on the server: a cancelled create or
//! rotate is treated like a lost answer (see [`crate::journal`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use futures::future::{AbortHandle, AbortRegistration, Abortable};

use crate::error::{AppError, AppResult};

/// The operations running now, by the id the UI gave them.
#[derive(Default)]
pub struct Operations {
    running: Mutex<HashMap<String, Running>>,
    /// Tells apart two operations that used the same id one after the other.
    next_serial: AtomicU64,
}

struct Running {
    handle: AbortHandle,
    serial: u64,
}

impl Operations {
    /// Puts the operation `id` (when the UI named it) on the list, so a cancel that arrives
    /// from now on stops it, even one that arrives before its work starts. Commands register
    /// first, before they wait for startup or write anything.
    pub fn register(&self, id: Option<&str>) -> AppResult<Operation<'_>> {
        let Some(id) = id else {
            return Ok(Operation {
                registration: None,
                _registered: None,
            });
        };
        let (handle, registration) = AbortHandle::new_pair();
        let serial = self.next_serial.fetch_add(1, Ordering::Relaxed);
        let mut running = self.lock()?;
        if running.contains_key(id) {
            return Err(AppError::validation(
                "operation_id",
                "An operation with this id is already running.",
            ));
        }
        running.insert(id.to_owned(), Running { handle, serial });
        Ok(Operation {
            registration: Some(registration),
            _registered: Some(Registered {
                operations: self,
                id: id.to_owned(),
                serial,
            }),
        })
    }

    /// Aborts the operation `id`; `false` when none with that id is running (it finished).
    pub fn cancel(&self, id: &str) -> AppResult<bool> {
        Ok(match self.lock()?.remove(id) {
            Some(running) => {
                running.handle.abort();
                true
            }
            None => false,
        })
    }

    fn lock(&self) -> AppResult<MutexGuard<'_, HashMap<String, Running>>> {
        self.running
            .lock()
            .map_err(|_| AppError::internal("The operations list is poisoned."))
    }
}

/// One registered operation; it leaves the list when dropped, however it ends.
pub struct Operation<'a> {
    registration: Option<AbortRegistration>,
    _registered: Option<Registered<'a>>,
}

impl Operation<'_> {
    /// Runs `work` so a cancel stops it; a cancelled operation answers a `cancelled` error at
    /// once, and one cancelled before this is called never polls `work`.
    pub async fn run<T>(self, work: impl Future<Output = AppResult<T>>) -> AppResult<T> {
        let Some(registration) = self.registration else {
            return work.await;
        };
        match Abortable::new(work, registration).await {
            Ok(answer) => answer,
            Err(_aborted) => Err(AppError::cancelled(
                "Cancelled: Keydesk stopped waiting for the answer.",
            )),
        }
    }
}

struct Registered<'a> {
    operations: &'a Operations,
    id: String,
    serial: u64,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.operations.running.lock() {
            // Only this operation's entry: a cancelled one that ends late must not take a
            // newer operation with the same id off the list (it could no longer be cancelled).
            if running
                .get(&self.id)
                .is_some_and(|r| r.serial == self.serial)
            {
                running.remove(&self.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_operation_answers_cancelled_and_leaves_the_list() {
        let operations = Operations::default();
        tauri::async_runtime::block_on(async {
            let never = futures::future::pending::<AppResult<()>>();
            let running = operations.register(Some("op-1")).unwrap().run(never);
            let cancel = async {
                assert!(operations.cancel("op-1").unwrap());
            };
            let (answer, ()) = futures::join!(running, cancel);
            assert!(answer.unwrap_err().is_cancelled());
        });
        assert!(!operations.cancel("op-1").unwrap(), "it is gone once ended");
        let done = operations
            .register(Some("op-2"))
            .unwrap()
            .run(async { Ok(7) });
        let done = tauri::async_runtime::block_on(done);
        assert_eq!(done.unwrap(), 7);
        assert!(!operations.cancel("op-2").unwrap());
    }

    #[test]
    fn a_cancel_that_arrives_before_the_work_starts_still_cancels_it() {
        let operations = Operations::default();
        // The command registered, and is still waiting for startup when Cancel arrives.
        let operation = operations.register(Some("op-early")).unwrap();
        assert!(operations.cancel("op-early").unwrap());
        let mut polled = false;
        let work = async {
            polled = true;
            Ok(())
        };
        let answer = tauri::async_runtime::block_on(operation.run(work));
        assert!(answer.unwrap_err().is_cancelled());
        assert!(!polled, "the cancelled work never started");
    }

    #[test]
    fn a_cancelled_operation_ending_late_leaves_a_newer_one_with_its_id_cancellable() {
        let operations = Operations::default();
        let old = operations.register(Some("op-1")).unwrap();
        assert!(operations.cancel("op-1").unwrap());
        let new = operations.register(Some("op-1")).unwrap();
        drop(old);
        assert!(
            operations.cancel("op-1").unwrap(),
            "the newer operation is still on the list"
        );
        drop(new);
        assert!(!operations.cancel("op-1").unwrap());
    }

    #[test]
    fn an_id_already_running_is_refused() {
        let operations = Operations::default();
        let _running = operations.register(Some("op-1")).unwrap();
        let refused = operations.register(Some("op-1")).err().unwrap();
        assert_eq!(refused.field.as_deref(), Some("operation_id"));
    }
}
