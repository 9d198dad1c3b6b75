//! The server-rendered pages (maud, no JavaScript): `/` the paginated, searchable student
//! list with the add-student form, `/students/{id}` a student's courses, marks and
//! attendance with the enrol form, `/courses` and `/courses/{id}` the roster. Every page
//! loads what it shows eagerly inside one unit of work and says in its footer how many
//! statements that took (`Session::statement_count`), so an N+1 loop would show as a count
//! growing with the rows.

mod courses;
mod layout;
mod students;

use axum::routing::{get, post};
use axum::Router;

use cinnabar::asyncio::AsyncEngine;

/// The pages' routes.
pub(crate) fn routes() -> Router<AsyncEngine> {
    Router::new()
        .route("/", get(students::index))
        .route("/students", post(students::add))
        .route("/students/{id}", get(students::show))
        .route("/students/{id}/enrol", post(students::enrol))
        .route("/courses", get(courses::index))
        .route("/courses/{id}", get(courses::show))
}

/// `s` percent-encoded for a query string.
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
