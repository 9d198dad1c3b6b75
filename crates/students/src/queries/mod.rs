//! What the application does with the database, as synchronous functions over a `&mut
//! Session`: each runs inside one unit of work (`AsyncEngine::run` / `read` in the routes,
//! or a plain `Session` in the seed and the tests). The routes only translate HTTP to these
//! calls and their results to JSON or HTML.

pub mod attendance;
pub mod courses;
pub mod enrollments;
pub mod students;

use serde::Deserialize;

/// The default page size of lists.
pub const DEFAULT_PER_PAGE: u64 = 20;
/// The largest page size a client may ask for.
pub const MAX_PER_PAGE: u64 = 100;

/// `?page=&per_page=` of a list request, with the defaults filled in.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct PageParams {
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// Page size (default 20, at most 100).
    pub per_page: Option<u64>,
}

impl PageParams {
    /// The page number, at least 1.
    pub fn page(&self) -> u64 {
        self.page.unwrap_or(1).max(1)
    }

    /// The page size, between 1 and [`MAX_PER_PAGE`].
    pub fn per_page(&self) -> u64 {
        self.per_page
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE)
    }
}

/// A case-insensitive `LIKE` pattern matching `q` anywhere (`%q%`), or `None` for an empty
/// search. `%` and `_` in `q` act as LIKE wildcards.
pub(crate) fn contains_pattern(q: Option<&str>) -> Option<String> {
    let q = q?.trim();
    (!q.is_empty()).then(|| format!("%{}%", q.to_lowercase()))
}
