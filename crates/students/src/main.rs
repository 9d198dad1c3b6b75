//! `cargo run -p students`: the student management system at http://127.0.0.1:8000.
//!
//! The database URL comes from `--database-url`, else `DATABASE_URL` in the environment,
//! else `DATABASE_URL` in `./.env`, else `sqlite:///students.db`; `--bind ADDR` changes the
//! address. The schema is migrated and the demo data written at start-up.

use clap::Parser;

/// The student management system (Cinnabar's web example).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Database URL (sqlite:///students.db, postgresql://..., mysql://...); default:
    /// DATABASE_URL from the environment or ./.env, else sqlite:///students.db.
    #[arg(long)]
    database_url: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8000")]
    bind: String,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let _ = dotenvy::dotenv();
    let url = args
        .database_url
        .or_else(|| std::env::var("DATABASE_URL").ok())
        .unwrap_or_else(|| "sqlite:///students.db".to_owned());
    let db = match students::setup(&url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(&args.bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.bind);
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("students: serving http://{} on {}", args.bind, redact(&url));
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let served = axum::serve(listener, students::app(db.clone()))
        .with_graceful_shutdown(shutdown)
        .await;
    // Close the pool on a blocking thread: the synchronous PostgreSQL client blocks when a
    // connection closes, which it may not do on an async worker.
    let _ = tokio::task::spawn_blocking(move || db.engine().dispose()).await;
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The URL without its password, for the start-up line.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
