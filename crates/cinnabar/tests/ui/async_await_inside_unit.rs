// A unit of work is a plain closure: it cannot `.await`, so the session it is lent is never
// held across an `.await` (nor is its connection, nor SQLite's write lock).
use cinnabar::asyncio::AsyncEngine;

async fn handler(db: AsyncEngine) -> cinnabar::Result<()> {
    db.run(|session| {
        session.flush()?;
        std::future::ready(()).await;
        session.commit()
    })
    .await
}

fn main() {
    let _ = handler;
}
