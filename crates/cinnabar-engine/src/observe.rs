//! Statement observability for [`Connection`](crate::Connection): `echo` lines, a `tracing`
//! span per statement (target `cinnabar::sql`, level DEBUG) that records its row count and
//! duration, and a WARN event for statements slower than the engine's threshold. Bound
//! values appear only when the engine's `log_parameters` is on (SQLAlchemy's
//! `hide_parameters` is the default here).
//!
//! The connection calls [`wanted`] first: with `echo` off and no subscriber interested in
//! `cinnabar::sql` at WARN or finer, that one level check is the whole cost of a statement's
//! observability.

use std::fmt;
use std::time::{Duration, Instant};

use cinnabar_core::ValueRef;
use tracing::field::Empty;
use tracing::{Level, Span};

/// What an engine logs about its statements (copied from `EngineOptions`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) echo: bool,
    pub(crate) log_parameters: bool,
    pub(crate) slow_threshold: Option<Duration>,
}

/// Whether a statement needs observing at all: the hot path's only check.
#[inline]
pub(crate) fn wanted(settings: &Settings) -> bool {
    settings.echo || tracing::enabled!(target: "cinnabar::sql", Level::WARN)
}

/// A statement's parameters as logged: one row, or the rows of an executemany.
#[derive(Clone, Copy)]
pub(crate) enum Params<'a, 'v> {
    One(&'a [ValueRef<'v>]),
    Many {
        width: usize,
        all: &'a [ValueRef<'v>],
    },
    None,
}

impl fmt::Debug for Params<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Params::One(p) => write!(f, "{p:?}"),
            Params::Many { width, all } => {
                let mut list = f.debug_list();
                for row in all.chunks(width.max(1)) {
                    list.entry(&row);
                }
                list.finish()
            }
            Params::None => f.write_str("[]"),
        }
    }
}

/// One statement being observed; [`Observed::finish`] records its outcome.
pub(crate) struct Observed<'s, 'a, 'v> {
    settings: Settings,
    sql: &'s str,
    params: Params<'a, 'v>,
    span: Span,
    start: Option<Instant>,
}

impl<'s, 'a, 'v> Observed<'s, 'a, 'v> {
    /// Logs the echo line, opens the statement's span and starts the clock.
    pub(crate) fn start(
        settings: Settings,
        system: &'static str,
        sql: &'s str,
        params: Params<'a, 'v>,
    ) -> Self {
        let show = settings.log_parameters;
        if settings.echo {
            match params {
                Params::Many { width, all } if show => {
                    for row in all.chunks(width.max(1)) {
                        tracing::info!(target: "cinnabar::engine", "{sql} {row:?}");
                    }
                }
                Params::One(p) if show && !p.is_empty() => {
                    tracing::info!(target: "cinnabar::engine", "{sql} {p:?}");
                }
                _ => tracing::info!(target: "cinnabar::engine", "{sql}"),
            }
        }
        let span = tracing::debug_span!(
            target: "cinnabar::sql",
            "statement",
            db.system = system,
            db.statement = sql,
            params = Empty,
            rows = Empty,
            duration_ms = Empty,
        );
        if show && !span.is_disabled() {
            span.record("params", tracing::field::debug(params));
        }
        let timed = !span.is_disabled() || settings.slow_threshold.is_some();
        Observed {
            settings,
            sql,
            params,
            span,
            start: timed.then(Instant::now),
        }
    }

    /// The span, to enter while the statement runs.
    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// Records the row count (rows returned, or changed for DML) and the duration, and warns
    /// when the statement took at least the slow threshold.
    pub(crate) fn finish(self, rows: Option<u64>) {
        let Some(start) = self.start else { return };
        let elapsed = start.elapsed();
        let ms = elapsed.as_secs_f64() * 1000.0;
        if let Some(rows) = rows {
            self.span.record("rows", rows);
        }
        self.span.record("duration_ms", ms);
        if self.settings.slow_threshold.is_some_and(|t| elapsed >= t) {
            // A self-contained event (SQL, duration, rows), outside the statement's span so a
            // subscriber showing both does not print the SQL twice.
            let sql = self.sql;
            if self.settings.log_parameters {
                let params = self.params;
                tracing::warn!(target: "cinnabar::sql", duration_ms = ms, rows, params = ?params, "slow statement: {sql}");
            } else {
                tracing::warn!(target: "cinnabar::sql", duration_ms = ms, rows, "slow statement: {sql}");
            }
        }
    }
}
