//! Gives the heap's free memory back to the system once a burst of work is over.
//!
//! A list of thousands of keys is decoded, held, snapshotted and sent to the page in a few
//! large allocations that are freed right after. glibc's malloc keeps the freed pages of its
//! per-thread arenas mapped for reuse, so an idle Keydesk kept ≈ 7 MB it no longer used
//! (BENCHMARKS.md). `malloc_trim` hands them back; it is called once things are quiet, not
//! after every list of a start. What trimming cannot hand back (pages partly in use) is
//! spread over fewer pages with one arena for every thread: ≈ 3 MB less when idle.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long the app must have listed nothing before the free heap is handed back.
const QUIET: Duration = Duration::from_secs(2);

/// Counts the bursts of work, so only the last one's wait ends in a trim.
static BURSTS: AtomicU64 = AtomicU64::new(0);

/// Notes that a burst of allocation (a list) just ended: once nothing else has for
/// [`QUIET`], the heap's free pages go back to the system.
pub fn release_when_quiet() {
    let burst = BURSTS.fetch_add(1, Ordering::Relaxed) + 1;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(QUIET).await;
        if BURSTS.load(Ordering::Relaxed) == burst {
            // It walks every arena under its lock: off the async worker.
            let _ = tokio::task::spawn_blocking(release_free_heap).await;
        }
    });
}

/// Keeps the whole heap in one malloc arena (glibc); answers whether the allocator took it.
/// glibc gives threads that allocate at the same time arenas of their own (up to eight per
/// core), and each arena keeps the pages a burst of work freed in it. Keydesk's threads seldom
/// allocate at the same time, and each thread's cache of small blocks spares most allocations
/// the arena's lock. Called first in [`crate::run`], before Keydesk starts any thread.
pub fn one_arena() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `mallopt` sets one of glibc's allocator tunables under the allocator's own lock;
    // it touches no memory Rust allocated, and `M_ARENA_MAX` takes any positive count.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1) == 1
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    true
}

/// Hands the heap's free pages back to the system now (glibc only: other allocators return
/// memory on their own).
pub fn release_free_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `malloc_trim` takes a plain byte count and works on the allocator's own state
    // under the allocator's locks; it is safe to call from any thread at any time, and no
    // allocation made or held by Rust is invalidated by it (only free pages are released).
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resident anonymous memory of this process, in KiB (Linux).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn anonymous_kib() -> u64 {
        let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap();
        rollup
            .lines()
            .find_map(|line| line.strip_prefix("Anonymous:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn the_allocator_takes_one_arena() {
        assert!(one_arena());
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn freed_heap_pages_go_back_to_the_system() {
        // Many small blocks (below the mmap threshold, so they live in the heap), touched,
        // then all but the last freed: the heap cannot shrink from its top, only trim can
        // hand back the pages in between.
        let mut blocks: Vec<Vec<u8>> = (0..16_384).map(|_| vec![1u8; 4_000]).collect();
        let pinned = blocks.pop();
        drop(blocks);
        let before = anonymous_kib();
        release_free_heap();
        let after = anonymous_kib();
        drop(pinned);
        assert!(
            before.saturating_sub(after) > 32 * 1024,
            "{before} KiB anonymous before the trim, {after} KiB after"
        );
    }
}
