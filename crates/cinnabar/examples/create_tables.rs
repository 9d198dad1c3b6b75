//! Tutorial section "Create Database Tables": Base.metadata.create_all(engine).
mod common;
use cinnabar::prelude::*;
use common::Student;

fn main() -> cinnabar::Result<()> {
    let engine = create_engine("sqlite:///college.db")?;
    let metadata = MetaData::new().with(Student::table().clone());
    metadata.create_all(&engine)?;
    metadata.create_all(&engine)?; // idempotent: CREATE TABLE IF NOT EXISTS
    let mut conn = engine.connect()?;
    let n: i64 = conn.scalar(
        text("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = :t")
            .bind("t", "students"),
    )?;
    println!("students table exists: {}", n == 1);
    Ok(())
}
