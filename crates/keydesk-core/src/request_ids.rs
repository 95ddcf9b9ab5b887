//! The request ids of the provider answers an operation received, successes included, for
//! the activity log. Errors carry their own id; a success has no other way out, and the
//! [`Provider`](crate::Provider) answers stay what they are.
//!
//! A task-local list, not a field of the client: one client serves concurrent operations,
//! and each must see only its own answers.

use std::cell::RefCell;
use std::future::Future;

/// More are dropped (oldest first): a 10,000-key list does not need every page's id.
const KEPT: usize = 20;

tokio::task_local! {
    static SEEN: RefCell<Vec<String>>;
}

/// Runs `work` and answers its output with the request ids of every provider answer it
/// received while it ran on this task, in order (the last ones when there were many). An
/// enclosing collection sees them too: a replace logs its steps, and then the whole.
pub async fn collect_request_ids<F: Future>(work: F) -> (F::Output, Vec<String>) {
    let (output, seen) = SEEN
        .scope(RefCell::new(Vec::new()), async {
            let output = work.await;
            let seen = SEEN.with(|seen| seen.take());
            (output, seen)
        })
        .await;
    for id in &seen {
        saw(id);
    }
    (output, seen)
}

/// Notes the request id of an answer, when an operation is collecting them.
pub(crate) fn saw(id: &str) {
    let _ = SEEN.try_with(|seen| {
        let mut seen = seen.borrow_mut();
        if seen.len() == KEPT {
            seen.remove(0);
        }
        seen.push(id.to_owned());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn collects_what_its_own_work_saw_only() {
        saw("outside");
        let ((), ids) = collect_request_ids(async {
            saw("req_1");
            saw("req_2");
        })
        .await;
        assert_eq!(ids, ["req_1", "req_2"]);
        let ((), ids) = collect_request_ids(async {
            for n in 0..25 {
                saw(&format!("req_{n}"));
            }
        })
        .await;
        assert_eq!(ids.len(), KEPT);
        assert_eq!(ids.last().map(String::as_str), Some("req_24"));
    }

    #[tokio::test]
    async fn an_enclosing_collection_sees_what_an_inner_one_saw() {
        let (inner, outer) = collect_request_ids(async {
            saw("req_list");
            let ((), inner) = collect_request_ids(async { saw("req_create") }).await;
            saw("req_revoke");
            inner
        })
        .await;
        assert_eq!(inner, ["req_create"]);
        assert_eq!(outer, ["req_list", "req_create", "req_revoke"]);
    }
}
