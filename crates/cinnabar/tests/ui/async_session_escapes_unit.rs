// The session cannot leave its unit of work: returning it (to use it after an `.await`)
// does not compile, because the result must be `'static`.
use cinnabar::asyncio::AsyncEngine;

async fn handler(db: AsyncEngine) -> cinnabar::Result<()> {
    let session = db.run(|session| Ok(session)).await?;
    std::future::ready(()).await;
    session.commit()
}

fn main() {
    let _ = handler;
}
