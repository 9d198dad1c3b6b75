// Nor can it leave inside a future to be awaited later.
use cinnabar::asyncio::AsyncEngine;

async fn handler(db: AsyncEngine) -> cinnabar::Result<()> {
    let later = db.run(|session| Ok(async move { session.commit() })).await?;
    later.await
}

fn main() {
    let _ = handler;
}
