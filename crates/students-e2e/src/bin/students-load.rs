//! `students-load`: the load benchmark of the students app (not a timed test).
//!
//! Serves the app in-process on an ephemeral 127.0.0.1 port (on `--database-url`, by default
//! a fresh SQLite file in a temp dir; the demo data is written when absent), or drives one
//! already running (`--url`), with C concurrent clients for a fixed count of requests, mixed
//! reads (list and detail) and writes (new students, attendance, enrolments). Reports
//! requests/s, p50/p99 latency and errors, then checks that no acknowledged write is lost:
//! every id answered 201 is found again, and each collection's total grew by exactly the
//! writes acknowledged into it. Exits non-zero on an error or a lost write.
//!
//! ```text
//! cargo run --release -p students-e2e --bin students-load -- --clients 16 --requests 2000
//! cargo run --release -p students-e2e --bin students-load -- \
//!     --database-url 'postgresql://postgres@127.0.0.1:5432/test?search_path=load'
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::Parser;
use students_e2e::load::{self, LoadOptions};

#[derive(Parser)]
#[command(about = "Load benchmark of the students app (crates/students-e2e/README.md)")]
struct Args {
    /// An app already running, e.g. http://127.0.0.1:8000 (else one is started in-process).
    #[arg(long)]
    url: Option<String>,
    /// The database of the in-process app (default: a SQLite file in a temp dir).
    #[arg(long)]
    database_url: Option<String>,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Requests in all.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Percent of requests that write.
    #[arg(long, default_value_t = 20)]
    write_percent: u64,
    /// Random seed (the same seed, the same sequence of requests per client).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

const COLLECTIONS: [&str; 3] = ["/api/students", "/api/attendance", "/api/enrollments"];

async fn totals(base: &str) -> Result<BTreeMap<&'static str, i64>, String> {
    let http = reqwest::Client::new();
    let mut totals = BTreeMap::new();
    for c in COLLECTIONS {
        let url = format!("{base}{c}?per_page=1");
        let body: serde_json::Value = http
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?
            .json()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        let total = body["total"]
            .as_i64()
            .ok_or_else(|| format!("GET {url}: no total in {body}"))?;
        totals.insert(c, total);
    }
    Ok(totals)
}

/// The in-process app's engine, made (and dropped) outside the tokio runtime: the
/// synchronous PostgreSQL driver closes a connection with a runtime of its own, which panics
/// on a thread that drives async tasks, so the last clone must not drop on a worker.
struct Local {
    engine: cinnabar::Engine,
    url: String,
    _dir: Option<tempfile::TempDir>,
}

fn local(args: &Args) -> Result<Option<Local>, String> {
    if args.url.is_some() {
        return Ok(None);
    }
    let (url, dir) = match &args.database_url {
        Some(u) => (u.clone(), None),
        None => {
            let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
            let url = format!("sqlite:///{}", dir.path().join("students.db").display());
            (url, Some(dir))
        }
    };
    let engine = cinnabar::create_engine(&url).map_err(|e| format!("{url}: {e}"))?;
    Ok(Some(Local {
        engine,
        url,
        _dir: dir,
    }))
}

async fn main_async(args: Args, local: Option<&Local>) -> Result<bool, String> {
    let _served;
    let (base, database) = match (&args.url, local) {
        (Some(url), _) => (
            url.trim_end_matches('/').to_owned(),
            "(external app)".to_owned(),
        ),
        (None, None) => return Err("no --url and no local app".to_owned()),
        (None, Some(local)) => {
            let db = students::AsyncEngine::new(local.engine.clone());
            students::prepare(&db)
                .await
                .map_err(|e| format!("{}: {e}", local.url))?;
            let served = students_e2e::serve(students::app(db))
                .await
                .map_err(|e| format!("serve: {e}"))?;
            let base = served.url();
            _served = served;
            (base, local.url.clone())
        }
    };
    let before = totals(&base).await?;
    let options = LoadOptions {
        clients: args.clients,
        requests: args.requests,
        write_percent: args.write_percent,
        seed: args.seed,
    };
    let report = load::run(&base, &options).await?;
    let lost = load::verify(&base, &report.acknowledged).await;
    let after = totals(&base).await?;

    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "students-load: {} requests ({} writes) by {} clients against {base} on {database}",
        report.requests, report.writes, options.clients
    );
    println!(
        "  {:.0} requests/s in {:.2} s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        report.throughput(),
        report.elapsed.as_secs_f64(),
        ms(report.percentile(50.0)),
        ms(report.percentile(99.0)),
        ms(report.percentile(100.0)),
    );
    println!(
        "  errors: {}; refused writes (409: course full or enrolled already): {}",
        report.errors, report.refused
    );
    for e in &report.error_samples {
        println!("    error: {e}");
    }
    let mut counts_ok = true;
    for c in COLLECTIONS {
        let acked = report.acknowledged.iter().filter(|(k, _)| *k == c).count() as i64;
        let grew = after[c] - before[c];
        counts_ok &= grew == acked;
        println!(
            "  {c}: {acked} writes acknowledged, total {} -> {} (+{grew})",
            before[c], after[c]
        );
    }
    println!(
        "  lost writes: {} of {} acknowledged{}",
        lost.len(),
        report.acknowledged.len(),
        if counts_ok {
            ""
        } else {
            "; totals do not match the acknowledged writes"
        }
    );
    for l in lost.iter().take(5) {
        println!("    lost: {l}");
    }
    Ok(report.errors == 0 && lost.is_empty() && counts_ok)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let local = match local(&args) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("students-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("students-load: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = rt.block_on(main_async(args, local.as_ref()));
    drop(rt);
    if let Some(local) = &local {
        local.engine.dispose();
    }
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("students-load: {e}");
            ExitCode::FAILURE
        }
    }
}
