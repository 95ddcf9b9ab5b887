//! A sliding one-minute window of writes per client address: a leaf that imports nothing of
//! the crate.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

const WINDOW_MS: i64 = 60 * 1000;

/// How many writes each client address may send per minute.
#[derive(Debug)]
pub(crate) struct WritesPerMinute {
    limit: usize,
    /// Per address, the times (unix ms) of its admitted writes within the last minute.
    writes: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl WritesPerMinute {
    pub(crate) fn new(limit: u32) -> Self {
        Self {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
            writes: Mutex::new(HashMap::new()),
        }
    }

    /// Count a write of `client` at `now_ms`, or refuse it with the seconds until the oldest
    /// write of the window leaves it.
    pub(crate) fn admit(&self, client: &str, now_ms: i64) -> Result<(), u64> {
        let mut writes = self
            .writes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        writes.retain(|_, times| times.back().is_some_and(|last| now_ms - last < WINDOW_MS));
        let times = writes.entry(client.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|first| now_ms - first >= WINDOW_MS)
        {
            times.pop_front();
        }
        if times.len() >= self.limit {
            let oldest = times.front().copied().unwrap_or(now_ms);
            let wait_ms = WINDOW_MS - (now_ms - oldest);
            return Err(u64::try_from((wait_ms + 999) / 1000).unwrap_or(60).max(1));
        }
        times.push_back(now_ms);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writes_past_the_limit_wait_for_the_oldest_to_leave_the_minute() {
        let limit = WritesPerMinute::new(2);
        assert_eq!(limit.admit("10.0.0.1", 0), Ok(()));
        assert_eq!(limit.admit("10.0.0.1", 20_000), Ok(()));
        assert_eq!(limit.admit("10.0.0.1", 30_000), Err(30));
        assert_eq!(limit.admit("10.0.0.2", 30_000), Ok(()), "per address");
        assert_eq!(limit.admit("10.0.0.1", 60_000), Ok(()));
        assert_eq!(limit.admit("10.0.0.1", 60_001), Err(20));
    }
}
