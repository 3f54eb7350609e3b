//! Ctrl-C handling.
//!
//! Outside a critical section Ctrl-C ends the process at once with exit code 130 (there
//! is nothing to undo). Inside one — while a change set is applied, a project is rendered
//! into its temporary directory, or a child process runs — the handler only records the
//! interrupt; the owner of the section notices it, rolls back and returns
//! [`crate::error::Interrupted`].

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static CRITICAL: AtomicUsize = AtomicUsize::new(0);

/// Installs the handler once; errors (e.g. a handler already set by a test harness) are ignored.
pub(crate) fn install() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        if CRITICAL.load(Ordering::SeqCst) == 0 {
            std::process::exit(130);
        }
    });
}

/// Whether Ctrl-C was pressed.
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Keeps Ctrl-C from killing the process while alive; the owner must poll [`interrupted`].
#[must_use = "the section ends when the guard is dropped"]
pub(crate) struct CriticalSection(());

impl CriticalSection {
    pub(crate) fn enter() -> Self {
        CRITICAL.fetch_add(1, Ordering::SeqCst);
        CriticalSection(())
    }
}

impl Drop for CriticalSection {
    fn drop(&mut self) {
        CRITICAL.fetch_sub(1, Ordering::SeqCst);
    }
}
