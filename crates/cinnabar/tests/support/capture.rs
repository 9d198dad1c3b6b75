//! Statement capture for tests that count what the library sends: an engine that logs every
//! statement (echo) and a thread-local tracing subscriber that collects those lines.

use std::io;
use std::sync::{Arc, Mutex};

use cinnabar::prelude::*;
use tracing_subscriber::util::SubscriberInitExt;

use super::TestDb;

/// A second engine on the test's database that logs every statement (echo), for
/// [`capture_sql`].
pub(crate) fn echo_engine(db: &TestDb) -> Engine {
    Engine::with_options(&db.url, EngineOptions::new().echo(true)).expect("echo engine")
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs `f` and returns the statements an [`echo_engine`] logged on this thread meanwhile
/// (one per line: the SQL, then its parameters).
pub(crate) fn capture_sql<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let buf = Captured::default();
    let writer = buf.clone();
    let guard = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .with_level(false)
        .with_target(false)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .finish()
        .set_default();
    let r = f();
    drop(guard);
    let bytes = buf.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let lines = String::from_utf8_lossy(&bytes)
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    (r, lines)
}

/// The captured statements that start with `verb` (`INSERT`, `UPDATE`, ...).
pub(crate) fn statements<'a>(lines: &'a [String], verb: &str) -> Vec<&'a String> {
    lines
        .iter()
        .filter(|l| {
            l.get(..verb.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(verb))
        })
        .collect()
}
