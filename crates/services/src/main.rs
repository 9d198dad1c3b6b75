//! `services`: runs one of the two microservices of the tutorial's last architecture.
//!
//! ```text
//! cargo run -p services -- users    --port 8001 --database-url sqlite:///users.db
//! cargo run -p services -- payments --port 8002 --database-url sqlite:///payments.db \
//!     --users-url http://127.0.0.1:8001
//! ```

use cinnabar::asyncio::AsyncEngine;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(about = "The users and payments services (crates/services/README.md)")]
struct Cli {
    #[command(subcommand)]
    service: Service,
}

#[derive(Subcommand)]
enum Service {
    /// The users service.
    Users {
        /// Port on 127.0.0.1.
        #[arg(long, default_value_t = 8001)]
        port: u16,
        /// The users database.
        #[arg(long, default_value = "sqlite:///users.db")]
        database_url: String,
    },
    /// The payments service; it asks the users service whether a user exists.
    Payments {
        /// Port on 127.0.0.1.
        #[arg(long, default_value_t = 8002)]
        port: u16,
        /// The payments database.
        #[arg(long, default_value = "sqlite:///payments.db")]
        database_url: String,
        /// The users service's base URL.
        #[arg(long, default_value = "http://127.0.0.1:8001")]
        users_url: String,
    },
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (name, port, app) = match Cli::parse().service {
        Service::Users { port, database_url } => {
            let db = AsyncEngine::connect(&database_url).await?;
            services::users::create_schema(&db).await?;
            ("users", port, services::users::app(db))
        }
        Service::Payments {
            port,
            database_url,
            users_url,
        } => {
            let db = AsyncEngine::connect(&database_url).await?;
            services::payments::create_schema(&db).await?;
            let state = services::payments::Payments::new(db, users_url)?;
            ("payments", port, services::payments::app(state))
        }
    };
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("{name} service on http://{}", listener.local_addr()?);
    services::serve(listener, app).await?;
    Ok(())
}
