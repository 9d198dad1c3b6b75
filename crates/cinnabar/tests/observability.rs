//! Observability through `tracing`: a span per statement (target `cinnabar::sql`) with its
//! row count and duration, a warning for slow statements, bound values hidden unless asked
//! for. Captured with a real `tracing-subscriber` into a buffer, on a SQLite file.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cinnabar::prelude::*;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::util::SubscriberInitExt;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A subscriber for this thread at `level` that also reports each span when it closes.
fn capturing(level: tracing_subscriber::filter::LevelFilter) -> (Capture, impl Sized) {
    let cap = Capture::default();
    let writer = cap.clone();
    let guard = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE)
        .with_max_level(level)
        .finish()
        .set_default();
    (cap, guard)
}

fn engine(dir: &tempfile::TempDir, options: EngineOptions) -> Engine {
    let url = format!("sqlite:///{}", dir.path().join("obs.db").display());
    Engine::with_options(&url, options).unwrap()
}

fn run_some(engine: &Engine) {
    let mut conn = engine.connect().unwrap();
    conn.execute_script("CREATE TABLE t (x INTEGER, secret TEXT)")
        .unwrap();
    conn.execute(
        text("INSERT INTO t (x, secret) VALUES (1, :s), (2, :s), (3, :s)")
            .bind("s", "s3cr3t-value"),
    )
    .unwrap();
    let rows = conn
        .execute(text("SELECT x FROM t WHERE secret = :s").bind("s", "s3cr3t-value"))
        .unwrap();
    assert_eq!(rows.len(), 3);
}

/// The lines of `log` that mention `needle`.
fn lines_with<'a>(log: &'a str, needle: &str) -> Vec<&'a str> {
    log.lines().filter(|l| l.contains(needle)).collect()
}

#[test]
fn each_statement_is_a_span_with_rows_and_duration() {
    let (cap, _guard) = capturing(tracing_subscriber::filter::LevelFilter::DEBUG);
    let dir = tempfile::tempdir().unwrap();
    run_some(&engine(&dir, EngineOptions::new()));
    let log = cap.text();
    let select = lines_with(&log, "SELECT x FROM t WHERE secret = ?");
    let closed: Vec<&&str> = select.iter().filter(|l| l.contains("close")).collect();
    assert_eq!(closed.len(), 1, "one span closed for the SELECT:\n{log}");
    let line = closed[0];
    assert!(line.contains("cinnabar::sql"), "{line}");
    assert!(line.contains("statement{"), "{line}");
    assert!(line.contains("rows=3"), "rows returned: {line}");
    assert!(line.contains("duration_ms="), "{line}");
    let insert = lines_with(&log, "INSERT INTO t");
    assert!(
        insert
            .iter()
            .any(|l| l.contains("close") && l.contains("rows=3")),
        "rows inserted:\n{log}"
    );
    assert!(
        lines_with(&log, "CREATE TABLE t")
            .iter()
            .any(|l| l.contains("close") && l.contains("statement{")),
        "scripts get a span too:\n{log}"
    );
}

#[test]
fn no_spans_below_debug() {
    let (cap, _guard) = capturing(tracing_subscriber::filter::LevelFilter::INFO);
    let dir = tempfile::tempdir().unwrap();
    run_some(&engine(&dir, EngineOptions::new()));
    let log = cap.text();
    assert!(!log.contains("statement{"), "{log}");
    assert!(!log.contains("SELECT"), "{log}");
}

#[test]
fn slow_statement_threshold_defaults_to_one_second() {
    let o = EngineOptions::default();
    assert_eq!(o.slow_statement_threshold, Some(Duration::from_secs(1)));
    assert!(!o.log_parameters);
}

#[test]
fn slow_statement_warning_fires_over_the_threshold_only() {
    let (cap, _guard) = capturing(tracing_subscriber::filter::LevelFilter::WARN);
    let dir = tempfile::tempdir().unwrap();
    run_some(&engine(
        &dir,
        EngineOptions::new().slow_statement_threshold(Some(Duration::ZERO)),
    ));
    let log = cap.text();
    let slow = lines_with(&log, "slow statement");
    assert!(
        slow.iter().any(|l| l.contains("WARN")
            && l.contains("cinnabar::sql")
            && l.contains("SELECT x FROM t WHERE secret = ?")
            && l.contains("duration_ms=")
            && l.contains("rows=3")),
        "threshold 0 warns for every statement:\n{log}"
    );

    let (cap, _guard) = capturing(tracing_subscriber::filter::LevelFilter::WARN);
    let dir = tempfile::tempdir().unwrap();
    run_some(&engine(
        &dir,
        EngineOptions::new().slow_statement_threshold(Some(Duration::from_secs(3600))),
    ));
    let log = cap.text();
    assert!(!log.contains("slow statement"), "{log}");

    let (cap, _guard) = capturing(tracing_subscriber::filter::LevelFilter::WARN);
    let dir = tempfile::tempdir().unwrap();
    run_some(&engine(
        &dir,
        EngineOptions::new().slow_statement_threshold(None),
    ));
    assert!(!cap.text().contains("slow statement"));
}

#[test]
fn parameters_are_hidden_unless_asked_for() {
    let everything = || {
        EngineOptions::new()
            .echo(true)
            .slow_statement_threshold(Some(Duration::ZERO))
    };
    let (cap, _guard) = capturing(tracing_subscriber::filter::LevelFilter::TRACE);
    let dir = tempfile::tempdir().unwrap();
    run_some(&engine(&dir, everything()));
    let log = cap.text();
    assert!(log.contains("SELECT x FROM t WHERE secret = ?"), "{log}");
    assert!(log.contains("slow statement"), "{log}");
    assert!(!log.contains("s3cr3t-value"), "hidden by default:\n{log}");

    let (cap, _guard) = capturing(tracing_subscriber::filter::LevelFilter::TRACE);
    let dir = tempfile::tempdir().unwrap();
    run_some(&engine(&dir, everything().log_parameters(true)));
    let log = cap.text();
    let select = lines_with(&log, "SELECT x FROM t WHERE secret = ?");
    assert!(
        select
            .iter()
            .any(|l| l.contains("close") && l.contains("s3cr3t-value")),
        "in the span:\n{log}"
    );
    assert!(
        select
            .iter()
            .any(|l| l.contains("slow statement") && l.contains("s3cr3t-value")),
        "in the slow warning:\n{log}"
    );
    assert!(
        select
            .iter()
            .any(|l| l.contains("cinnabar::engine") && l.contains("[\"s3cr3t-value\"]")),
        "in the echo line:\n{log}"
    );
}

#[test]
fn the_url_sets_threshold_and_parameter_logging() {
    let (cap, _guard) = capturing(tracing_subscriber::filter::LevelFilter::WARN);
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite:///{}?slow_statement_threshold=0&log_parameters=true",
        dir.path().join("obs.db").display()
    );
    // The URL overrides the options (threshold off, parameters hidden).
    let engine =
        Engine::with_options(&url, EngineOptions::new().slow_statement_threshold(None)).unwrap();
    run_some(&engine);
    let log = cap.text();
    assert!(log.contains("slow statement"), "{log}");
    assert!(log.contains("s3cr3t-value"), "{log}");

    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite:///{}?slow_statement_threshold=off",
        dir.path().join("obs.db").display()
    );
    let (cap, _guard) = capturing(tracing_subscriber::filter::LevelFilter::WARN);
    run_some(&Engine::with_options(&url, EngineOptions::new()).unwrap());
    assert!(!cap.text().contains("slow statement"));

    for bad in [
        "slow_statement_threshold=-1",
        "slow_statement_threshold=soon",
        "log_parameters=maybe",
    ] {
        let e = create_engine(&format!("sqlite:///x.db?{bad}")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Url, "{bad}: {e}");
        let key = bad.split('=').next().unwrap();
        assert!(e.message().contains(key), "{e}");
    }

    // Drivers never see them: PostgreSQL refuses parameters it does not know.
    #[cfg(feature = "postgres")]
    create_engine("postgresql://u@127.0.0.1/db?slow_statement_threshold=2&log_parameters=false")
        .expect("engine-level parameters are not the driver's");
}
