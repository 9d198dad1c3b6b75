//! Tutorial section "Creating SQLite Database Connection": an engine from a URL.
use cinnabar::prelude::*;

fn main() -> cinnabar::Result<()> {
    // engine = create_engine("sqlite:///students.db")
    let engine = create_engine("sqlite:///students.db")?;
    let mut conn = engine.connect()?; // the file is created on first connect
    let one: i64 = conn.scalar(text("SELECT 1"))?;
    println!(
        "connected to {} ({}), SELECT 1 = {one}",
        engine.url(),
        engine.dialect().name()
    );
    // A malformed URL is a clear error, not a panic.
    if let Err(e) = create_engine("students.db") {
        println!("error: {e}");
    }
    Ok(())
}
