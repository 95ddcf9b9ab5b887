//! Operations the user can cancel: the UI names each long operation (list, revoke, create…)
//! with an id of its own choosing, and `cancel_operation` aborts the one with that id.
//!
//! Aborting drops the core future, so no further request is sent and nothing more is waited
//! for. A request already sent may still take effect on the server: a cancelled create or
//! rotate is treated like a lost answer (see [`crate::journal`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, MutexGuard};

use futures::future::{AbortHandle, Abortable};

use crate::error::{AppError, AppResult};

/// The operations running now, by the id the UI gave them.
#[derive(Default)]
pub struct Operations {
    running: Mutex<HashMap<String, AbortHandle>>,
}

impl Operations {
    /// Runs `work` as the operation `id` (when the UI named it), so [`Self::cancel`] can stop
    /// it; a cancelled operation answers a `cancelled` error at once.
    pub async fn run<T>(
        &self,
        id: Option<&str>,
        work: impl Future<Output = AppResult<T>>,
    ) -> AppResult<T> {
        let Some(id) = id else {
            return work.await;
        };
        let (handle, registration) = AbortHandle::new_pair();
        {
            let mut running = self.lock()?;
            if running.contains_key(id) {
                return Err(AppError::validation(
                    "operation_id",
                    "An operation with this id is already running.",
                ));
            }
            running.insert(id.to_owned(), handle);
        }
        let _registered = Registered {
            operations: self,
            id,
        };
        match Abortable::new(work, registration).await {
            Ok(answer) => answer,
            Err(_aborted) => Err(AppError::cancelled(
                "Cancelled: Keydesk stopped waiting for the answer.",
            )),
        }
    }

    /// Aborts the operation `id`; `false` when none with that id is running (it finished).
    pub fn cancel(&self, id: &str) -> AppResult<bool> {
        Ok(match self.lock()?.remove(id) {
            Some(handle) => {
                handle.abort();
                true
            }
            None => false,
        })
    }

    fn lock(&self) -> AppResult<MutexGuard<'_, HashMap<String, AbortHandle>>> {
        self.running
            .lock()
            .map_err(|_| AppError::internal("The operations list is poisoned."))
    }
}

/// Takes an operation off the list when it ends, however it ends.
struct Registered<'a> {
    operations: &'a Operations,
    id: &'a str,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.operations.running.lock() {
            running.remove(self.id);
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
            let running = operations.run(Some("op-1"), never);
            let cancel = async {
                // The operation is registered on its first poll, before this runs.
                tokio::task::yield_now().await;
                assert!(operations.cancel("op-1").unwrap());
            };
            let (answer, ()) = futures::join!(running, cancel);
            assert!(answer.unwrap_err().is_cancelled());
        });
        assert!(!operations.cancel("op-1").unwrap(), "it is gone once ended");
        let done = tauri::async_runtime::block_on(operations.run(Some("op-2"), async { Ok(7) }));
        assert_eq!(done.unwrap(), 7);
        assert!(!operations.cancel("op-2").unwrap());
    }
}
