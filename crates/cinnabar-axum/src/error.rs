//! [`HttpError`]: a Cinnabar error (or a plain HTTP one) as a response. One table,
//! [`status_of`], maps error kinds to statuses; one `IntoResponse` writes the JSON body.

use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cinnabar_core::{Error, ErrorKind};
use serde_json::{json, Value};

/// Whether error responses carry the database's details by default.
static EXPOSE: AtomicBool = AtomicBool::new(false);

/// Turns database details in error responses on or off for the whole process (off by
/// default, as they may name tables, constraints and SQL): with details, `message` is the
/// error's full text and the body adds `constraint` and `code`. For development servers
/// and tests; [`HttpError::expose_details`] decides for one error.
pub fn expose_error_details(on: bool) {
    EXPOSE.store(on, Ordering::Relaxed);
}

/// A handler's result: `Err` answers with [`HttpError`]'s response.
pub type HttpResult<T> = Result<T, HttpError>;

/// An error response. From a Cinnabar [`Error`] (`?` converts it) the status comes from
/// [`status_of`]; [`HttpError::new`] makes one for any status.
///
/// The body is JSON: `{"error": "<kind>", "message": "..."}`, where `kind` is the error
/// kind in snake case (`no_row`, `unique_violation`, ...) or, for a plain HTTP error, the
/// status's reason (`bad_request`). A validation error adds `"fields": [{"model", "key",
/// "field", "rule", "message", "value"}]`. 503 responses carry `Retry-After: 1`. Without
/// details (the default), `message` is the kind's general description, except for no row
/// and validation errors, whose messages name only what the client sent (the model, the
/// key, the fields); 5xx errors are logged with their full text at ERROR on target
/// `cinnabar::web`.
#[derive(Debug)]
pub struct HttpError {
    status: StatusCode,
    error: Option<Error>,
    message: String,
    expose: Option<bool>,
}

impl HttpError {
    /// An error with `status` and `message` (shown as is): `HttpError::new(StatusCode::
    /// BAD_REQUEST, "page must be a number")`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HttpError {
            status,
            error: None,
            message: message.into(),
            expose: None,
        }
    }

    /// Shows (or hides) the database's details in this error's response, whatever
    /// [`expose_error_details`] says.
    pub fn expose_details(mut self, on: bool) -> Self {
        self.expose = Some(on);
        self
    }

    /// The response's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The Cinnabar error, if this is one.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    fn body(&self, expose: bool) -> Value {
        let Some(e) = &self.error else {
            let kind = self
                .status
                .canonical_reason()
                .unwrap_or("error")
                .to_ascii_lowercase()
                .replace([' ', '-'], "_");
            return json!({ "error": kind, "message": self.message });
        };
        let kind = e.kind();
        let message = if expose || matches!(kind, ErrorKind::NoRow | ErrorKind::Validation) {
            if expose {
                e.to_string()
            } else {
                e.message().to_owned()
            }
        } else {
            public_message(kind).to_owned()
        };
        let mut body = json!({ "error": kind_name(kind), "message": message });
        if let Some(v) = e.validation_errors() {
            let fields: Vec<Value> = v
                .errors()
                .iter()
                .map(|f| {
                    json!({
                        "model": f.model,
                        "key": f.key,
                        "field": f.field,
                        "rule": f.rule,
                        "message": f.message,
                        "value": f.value,
                    })
                })
                .collect();
            body["fields"] = Value::Array(fields);
        }
        if expose {
            if let Some(c) = e.constraint() {
                body["constraint"] = json!(c);
            }
            if let Some(c) = e.code() {
                body["code"] = json!(c);
            }
        }
        body
    }
}

impl From<Error> for HttpError {
    fn from(error: Error) -> Self {
        HttpError {
            status: status_of(error.kind()),
            message: String::new(),
            error: Some(error),
            expose: None,
        }
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error {
            Some(e) => write!(f, "{}: {e}", self.status),
            None => write!(f, "{}: {}", self.status, self.message),
        }
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let expose = self
            .expose
            .unwrap_or_else(|| EXPOSE.load(Ordering::Relaxed));
        if self.status.is_server_error() {
            tracing::error!(target: "cinnabar::web", status = %self.status, error = %self, "request failed");
        }
        let body = self.body(expose);
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// The status an error kind answers with:
///
/// | kind | status |
/// |---|---|
/// | `NoRow` | 404 Not Found |
/// | `UniqueViolation`, `ForeignKeyViolation`, `StaleData` | 409 Conflict |
/// | `CheckViolation`, `NotNullViolation`, `Validation` | 422 Unprocessable Entity |
/// | `Busy`, `PoolTimeout`, `Timeout`, `Deadlock`, `SerializationFailure`, `Connection` (also a Galera node that is not ready, error 1047) | 503 Service Unavailable + `Retry-After` |
/// | `CommitOutcomeUnknown` and every other kind | 500 Internal Server Error |
///
/// Why 503 for deadlocks and serialization failures: they are transient, and the same
/// request sent again may succeed (`ErrorKind::is_retryable`); for a database that cannot be
/// reached: the service is unavailable, not broken. `CommitOutcomeUnknown` stays 500: the
/// client must check before sending the request again.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NoRow => StatusCode::NOT_FOUND,
        ErrorKind::UniqueViolation | ErrorKind::ForeignKeyViolation | ErrorKind::StaleData => {
            StatusCode::CONFLICT
        }
        ErrorKind::CheckViolation | ErrorKind::NotNullViolation | ErrorKind::Validation => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ErrorKind::Busy
        | ErrorKind::PoolTimeout
        | ErrorKind::Timeout
        | ErrorKind::Deadlock
        | ErrorKind::SerializationFailure
        | ErrorKind::Connection => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The kind's name in a response body.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::UniqueViolation => "unique_violation",
        ErrorKind::ForeignKeyViolation => "foreign_key_violation",
        ErrorKind::NotNullViolation => "not_null_violation",
        ErrorKind::CheckViolation => "check_violation",
        ErrorKind::NoRow => "no_row",
        ErrorKind::MultipleRows => "multiple_rows",
        ErrorKind::Conversion => "conversion",
        ErrorKind::Url => "url",
        ErrorKind::Connection => "connection",
        ErrorKind::Busy => "busy",
        ErrorKind::Deadlock => "deadlock",
        ErrorKind::SerializationFailure => "serialization_failure",
        ErrorKind::StaleData => "stale_data",
        ErrorKind::PoolTimeout => "pool_timeout",
        ErrorKind::CommitOutcomeUnknown => "commit_outcome_unknown",
        ErrorKind::Misuse => "misuse",
        ErrorKind::Unsupported => "unsupported",
        ErrorKind::IdentifierTooLong => "identifier_too_long",
        ErrorKind::PermissionDenied => "permission_denied",
        ErrorKind::Validation => "validation",
        ErrorKind::Timeout => "timeout",
        _ => "database",
    }
}

/// What a response says about an error when details are hidden.
fn public_message(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::UniqueViolation => "a record with the same unique value already exists",
        ErrorKind::ForeignKeyViolation => "the record refers to, or is referred to by, another record",
        ErrorKind::StaleData => "the record was changed by someone else meanwhile; reload it and try again",
        ErrorKind::CheckViolation => "a value is outside what the database allows",
        ErrorKind::NotNullViolation => "a required value is missing",
        ErrorKind::Busy | ErrorKind::PoolTimeout | ErrorKind::Deadlock | ErrorKind::SerializationFailure => {
            "the database is busy; try again shortly"
        }
        ErrorKind::Timeout => "the database took too long; try again shortly",
        ErrorKind::Connection => "the database is unavailable; try again shortly",
        ErrorKind::CommitOutcomeUnknown => {
            "the connection to the database broke while saving; the change may or may not have been saved"
        }
        _ => "internal server error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_statuses() {
        assert_eq!(status_of(ErrorKind::NoRow), StatusCode::NOT_FOUND);
        assert_eq!(status_of(ErrorKind::UniqueViolation), StatusCode::CONFLICT);
        assert_eq!(
            status_of(ErrorKind::ForeignKeyViolation),
            StatusCode::CONFLICT
        );
        assert_eq!(
            status_of(ErrorKind::CheckViolation),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status_of(ErrorKind::NotNullViolation),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status_of(ErrorKind::Validation),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(status_of(ErrorKind::Busy), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            status_of(ErrorKind::PoolTimeout),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status_of(ErrorKind::Timeout),
            StatusCode::SERVICE_UNAVAILABLE
        );
        for transient in [
            ErrorKind::Deadlock,
            ErrorKind::SerializationFailure,
            ErrorKind::Connection,
        ] {
            assert_eq!(status_of(transient), StatusCode::SERVICE_UNAVAILABLE);
        }
        assert_eq!(
            status_of(ErrorKind::CommitOutcomeUnknown),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            status_of(ErrorKind::Misuse),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn hidden_details_keep_sql_and_constraints_out() {
        let e = Error::new(ErrorKind::UniqueViolation, "students.email")
            .with_constraint("students.email")
            .with_sql("INSERT INTO students ...");
        let hidden = HttpError::from(e).body(false);
        let text = hidden.to_string();
        assert!(
            !text.contains("INSERT") && !text.contains("students.email"),
            "{text}"
        );
        assert_eq!(hidden["error"], "unique_violation");
        let e = Error::new(ErrorKind::UniqueViolation, "students.email")
            .with_constraint("students.email");
        let shown = HttpError::from(e).body(true);
        assert_eq!(shown["constraint"], "students.email");
    }

    /// A Galera node that is not ready (error 1047, which the MySQL driver maps to
    /// `Connection`) is a temporary unavailability: 503 with `Retry-After`, not a 500.
    #[test]
    fn a_galera_node_that_is_not_ready_answers_503() {
        let e = Error::new(
            ErrorKind::Connection,
            "WSREP has not yet prepared node for application use",
        )
        .with_code("1047");
        let response = HttpError::from(e).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        let e = Error::new(ErrorKind::Connection, "WSREP not ready").with_code("1047");
        let body = HttpError::from(e).body(false);
        assert_eq!(body["error"], "connection");
        assert_eq!(
            body["message"],
            "the database is unavailable; try again shortly"
        );
    }

    #[test]
    fn plain_http_errors_name_their_status() {
        let body = HttpError::new(StatusCode::BAD_REQUEST, "page must be a number").body(false);
        assert_eq!(body["error"], "bad_request");
        assert_eq!(body["message"], "page must be a number");
    }
}
