//! The page frame (head, navigation, the "N queries" footer) and HTML error pages.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use cinnabar::web::status_of;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}\
.error{color:#a00}.notice{color:#060}nav a{margin-right:1rem}footer{margin-top:2rem;color:#666}\
form.inline{display:inline}label{margin-right:.5rem}";

/// A whole page: `title`, the body, and the footer naming the statements the page ran.
pub(crate) fn page(title: &str, body: Markup, queries: u64) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) " · Students" }
                style { (STYLE) }
            }
            body {
                nav { a href="/" { "Students" } a href="/courses" { "Courses" } }
                h1 { (title) }
                (body)
                footer {
                    span id="query-count" { (queries) " " (if queries == 1 { "query" } else { "queries" }) }
                    " · Cinnabar student management"
                }
            }
        }
    }
}

/// An error shown as an HTML page, with the status `HttpError` gives the same error
/// (`status_of`).
#[derive(Debug)]
pub(crate) struct PageError(pub(crate) cinnabar::Error);

impl From<cinnabar::Error> for PageError {
    fn from(e: cinnabar::Error) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let message = self.0.message().to_owned();
        let status = status_of(self.0.kind());
        // Details of a server error stay in the log, as HttpError keeps them out of its body.
        let message = if status.is_server_error() {
            tracing::error!(target: "students", "{message}");
            "The request failed; try again.".to_owned()
        } else {
            message
        };
        let title = if status == StatusCode::NOT_FOUND {
            "Not found"
        } else {
            "Something went wrong"
        };
        let body =
            html! { p class="error" { (message) } p { a href="/" { "Back to the students" } } };
        (status, Html(page(title, body, 0).into_string())).into_response()
    }
}
