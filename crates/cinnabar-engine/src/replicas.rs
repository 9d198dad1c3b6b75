//! Read replicas (issue 16; SQLAlchemy's binds, Django's database routers): an engine made
//! with replica URLs ([`EngineOptions::replicas`](crate::EngineOptions::replicas)) keeps one
//! pool per replica and hands out a replica connection for a read with
//! [`Engine::connect_replica`], round-robin among the healthy ones. A replica that cannot be
//! reached, is not a replica, or lags beyond [`ReplicaOptions::max_lag`] is skipped, and the
//! caller reads from the primary. The Session routes its reads through it
//! (`cinnabar-orm/src/session/replica.rs`); see docs/scaling/replicas.md.
//!
//! The lag check is the dialect's [`ReplicaPositions`]: on every replica checkout the
//! replica's replayed log position and last replayed commit time are read (which also pings
//! it), and compared with the primary's log position and clock, sampled at most once per
//! [`ReplicaOptions::check_interval`]. A replica that has replayed the primary's position is
//! not lagging, whatever the time since the last commit (an idle primary); one that has not
//! is lagging by at most the primary's time now minus the commit time of the last
//! transaction it replayed, an upper bound that may skip a replica a moment longer than
//! needed but never keeps one whose lag is beyond the bound.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use cinnabar_core::dialect::ReplicaPositions;
use cinnabar_core::{Error, ErrorKind, Result, ValueRef};

use crate::connection::Connection;
use crate::engine::{Engine, EngineOptions};
use crate::row::{get_at, Row};
use crate::url::Url;

/// Where an engine's reads may go besides the primary: part of [`EngineOptions`]
/// (`EngineOptions::new().replicas([..]).max_replica_lag(..)`). Each replica gets its own
/// pool with the primary's pool settings.
#[derive(Debug, Clone)]
pub struct ReplicaOptions {
    /// The replicas' URLs, of the primary's backend (none by default: no routing at all).
    pub urls: Vec<String>,
    /// A replica further behind the primary than this is skipped (default 5 s).
    pub max_lag: Duration,
    /// How old the primary's sampled position may be before the lag check samples it again,
    /// and how long a replica found down, lagging or not a replica is skipped before it is
    /// tried again (default 1 s).
    pub check_interval: Duration,
}

impl Default for ReplicaOptions {
    fn default() -> Self {
        ReplicaOptions {
            urls: Vec::new(),
            max_lag: Duration::from_secs(5),
            check_interval: Duration::from_secs(1),
        }
    }
}

/// A position in the primary's log at or past the end of a session's committed writes
/// ([`Connection::write_position`]): a replica that has replayed it sees them. For PostgreSQL
/// the WAL insert LSN in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WritePosition(pub i64);

/// What the engine last found out about a replica ([`Engine::replica_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplicaState {
    /// Not used yet.
    Unchecked,
    /// Reachable and within the lag bound (or, without a lag check, reachable).
    Healthy,
    /// Further behind the primary than `max_lag` (or of unknown lag while behind).
    Lagging,
    /// Connecting to it or reading its position failed.
    Down,
    /// Reachable but not replaying a primary's log (PostgreSQL: not in recovery, such as a
    /// promoted standby): its data may have diverged, so it is not read.
    NotAReplica,
}

/// One replica's last known state.
#[derive(Debug, Clone)]
pub struct ReplicaStatus {
    /// The replica's URL (without its password).
    pub url: String,
    /// Its state at the last check.
    pub state: ReplicaState,
    /// Its lag at the last check, when known (zero when it had replayed the primary's
    /// position; otherwise an upper bound).
    pub lag: Option<Duration>,
    /// The error that made it [`ReplicaState::Down`].
    pub error: Option<String>,
}

pub(crate) struct ReplicaSet {
    replicas: Vec<Replica>,
    next: AtomicUsize,
    max_lag: Duration,
    check_interval: Duration,
    positions: Option<ReplicaPositions>,
    primary: Mutex<Option<PrimarySample>>,
}

struct Replica {
    engine: Engine,
    health: Mutex<Health>,
}

#[derive(Debug, Clone)]
struct Health {
    state: ReplicaState,
    checked: Option<Instant>,
    lag: Option<Duration>,
    error: Option<String>,
}

/// The primary's log position and clock (seconds since the epoch) at `at`.
#[derive(Debug, Clone, Copy)]
struct PrimarySample {
    at: Instant,
    position: i64,
    clock: f64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl ReplicaSet {
    /// The replica engines of `options` (none: `None`), each with the primary's options but
    /// no replicas of its own.
    ///
    /// # Errors
    /// A replica URL's own error, or [`ErrorKind::Url`] for one of another backend.
    pub(crate) fn build(primary: &Url, options: &EngineOptions) -> Result<Option<ReplicaSet>> {
        if options.replicas.urls.is_empty() {
            return Ok(None);
        }
        let mut own = options.clone();
        own.replicas.urls.clear();
        let mut replicas = Vec::with_capacity(options.replicas.urls.len());
        for (i, url) in options.replicas.urls.iter().enumerate() {
            let engine = Engine::with_options(url, own.clone())
                .map_err(|e| e.context(format_args!("replica {} of {primary}", i + 1)))?;
            if engine.url().backend() != primary.backend() {
                return Err(Error::new(
                    ErrorKind::Url,
                    format!(
                        "replica {} ({}) is a {:?} database but the primary {primary} is {:?}",
                        i + 1,
                        engine.url(),
                        engine.url().backend(),
                        primary.backend()
                    ),
                ));
            }
            replicas.push(Replica {
                engine,
                health: Mutex::new(Health {
                    state: ReplicaState::Unchecked,
                    checked: None,
                    lag: None,
                    error: None,
                }),
            });
        }
        let positions = replicas[0].engine.dialect().replica_positions();
        Ok(Some(ReplicaSet {
            replicas,
            next: AtomicUsize::new(0),
            max_lag: options.replicas.max_lag,
            check_interval: options.replicas.check_interval,
            positions,
            primary: Mutex::new(None),
        }))
    }

    /// The primary's position and clock, sampled again when older than the check interval.
    fn primary_sample(&self, primary: &Engine, sql: &str) -> Result<PrimarySample> {
        if let Some(s) = *lock(&self.primary) {
            if s.at.elapsed() < self.check_interval {
                return Ok(s);
            }
        }
        let mut conn = primary.connect()?;
        let mut sample = None;
        conn.raw()?.run(
            sql,
            &[],
            Some(&mut |row: &dyn Row| {
                sample = Some(PrimarySample {
                    at: Instant::now(),
                    position: get_at(row, 0, "the primary's log position")?,
                    clock: get_at(row, 1, "the primary's clock")?,
                });
                Ok(())
            }),
        )?;
        let sample = sample
            .ok_or_else(|| Error::new(ErrorKind::NoRow, "no row for the primary's position"))?;
        *lock(&self.primary) = Some(sample);
        Ok(sample)
    }
}

impl Replica {
    /// Whether to try it now: unchecked and healthy ones always, others once the check
    /// interval since their last check has passed.
    fn worth_trying(&self, interval: Duration) -> bool {
        let h = lock(&self.health);
        match h.state {
            ReplicaState::Unchecked | ReplicaState::Healthy => true,
            _ => h.checked.is_none_or(|t| t.elapsed() >= interval),
        }
    }

    fn mark(&self, state: ReplicaState, lag: Option<Duration>, error: Option<&Error>) {
        let mut h = lock(&self.health);
        if state != h.state {
            tracing::info!(
                target: "cinnabar::replicas",
                replica = %self.engine.url(),
                ?state,
                error = error.map(|e| e.to_string()),
                "replica state changed"
            );
        }
        *h = Health {
            state,
            checked: Some(Instant::now()),
            lag,
            error: error.map(|e| e.to_string()),
        };
    }
}

/// A replica's state from its replay position and last replayed commit time against a
/// sample of the primary: not lagging when it has replayed the sampled position; otherwise
/// lagging by at most the primary's clock now minus that commit time.
fn judge(
    primary: &PrimarySample,
    now: Instant,
    replayed: Option<i64>,
    replay_clock: Option<f64>,
    max_lag: Duration,
) -> (ReplicaState, Option<Duration>) {
    match replayed {
        Some(r) if r >= primary.position => (ReplicaState::Healthy, Some(Duration::ZERO)),
        _ => match replay_clock {
            None => (ReplicaState::Lagging, None),
            Some(c) => {
                let primary_now =
                    primary.clock + now.saturating_duration_since(primary.at).as_secs_f64();
                let lag = Duration::try_from_secs_f64((primary_now - c).max(0.0))
                    .unwrap_or(Duration::MAX);
                let state = if lag > max_lag {
                    ReplicaState::Lagging
                } else {
                    ReplicaState::Healthy
                };
                (state, Some(lag))
            }
        },
    }
}

impl Engine {
    /// Whether this engine was made with read replicas.
    pub fn has_replicas(&self) -> bool {
        self.inner.replicas.is_some()
    }

    /// A connection to a healthy read replica, round-robin among them, or `None` when the
    /// engine has none or none may be read now (down, not a replica, lagging beyond
    /// [`ReplicaOptions::max_lag`], or, with `after`, not yet replayed that position): the
    /// caller then reads from the primary ([`Engine::connect`]). Never an error: a replica
    /// that fails is marked and skipped (see [`Engine::replica_status`]).
    ///
    /// A replica connection is for reads: the database refuses writes on it (PostgreSQL:
    /// "cannot execute INSERT in a read-only transaction").
    ///
    /// With a dialect that cannot measure lag ([`Dialect::replica_positions`] is `None`)
    /// a replica counts as healthy when it answers a ping, and `after` cannot be checked, so
    /// `Some(after)` always gives `None`.
    ///
    /// [`Dialect::replica_positions`]: cinnabar_core::dialect::Dialect::replica_positions
    pub fn connect_replica(&self, after: Option<WritePosition>) -> Option<Connection> {
        let set = self.inner.replicas.as_ref()?;
        let n = set.replicas.len();
        let start = set.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &set.replicas[(start + i) % n])
            .filter(|r| r.worth_trying(set.check_interval))
            .find_map(|r| self.try_replica(set, r, after))
    }

    fn try_replica(
        &self,
        set: &ReplicaSet,
        replica: &Replica,
        after: Option<WritePosition>,
    ) -> Option<Connection> {
        let mut conn = match replica.engine.connect() {
            Ok(c) => c,
            Err(e) => {
                replica.mark(ReplicaState::Down, None, Some(&e));
                return None;
            }
        };
        let Some(sql) = set.positions else {
            if let Err(e) = conn.raw().and_then(|c| c.ping()) {
                replica.mark(ReplicaState::Down, None, Some(&e));
                return None;
            }
            replica.mark(ReplicaState::Healthy, None, None);
            return after.is_none().then_some(conn);
        };
        let (replayed, replay_clock, is_replica) = match read_replica(&mut conn, sql.replica) {
            Ok(v) => v,
            Err(e) => {
                replica.mark(ReplicaState::Down, None, Some(&e));
                return None;
            }
        };
        if !is_replica {
            replica.mark(ReplicaState::NotAReplica, None, None);
            return None;
        }
        let primary = match set.primary_sample(self, sql.primary) {
            Ok(p) => p,
            Err(e) => {
                // Without the primary's position the lag cannot be bounded: read the
                // primary, whose own error the caller will then see.
                tracing::warn!(target: "cinnabar::replicas", error = %e, "cannot read the primary's log position; reading from the primary");
                return None;
            }
        };
        let (state, lag) = judge(
            &primary,
            Instant::now(),
            replayed,
            replay_clock,
            set.max_lag,
        );
        replica.mark(state, lag, None);
        if state != ReplicaState::Healthy {
            return None;
        }
        match (after, replayed) {
            (None, _) => Some(conn),
            (Some(p), Some(r)) if r >= p.0 => Some(conn),
            _ => None,
        }
    }

    /// What the engine last found out about each of its replicas, in the order of their URLs.
    pub fn replica_status(&self) -> Vec<ReplicaStatus> {
        let Some(set) = self.inner.replicas.as_ref() else {
            return Vec::new();
        };
        set.replicas
            .iter()
            .map(|r| {
                let h = lock(&r.health).clone();
                ReplicaStatus {
                    url: r.engine.url().to_string(),
                    state: h.state,
                    lag: h.lag,
                    error: h.error,
                }
            })
            .collect()
    }
}

/// Runs the replica's position query: (replayed position, last replayed commit time, whether
/// it is a replica).
fn read_replica(conn: &mut Connection, sql: &str) -> Result<(Option<i64>, Option<f64>, bool)> {
    let mut out = None;
    conn.raw()?.run(
        sql,
        &[],
        Some(&mut |row: &dyn Row| {
            out = Some((
                get_at(row, 0, "the replica's replayed position")?,
                get_at(row, 1, "the replica's last replayed commit time")?,
                get_at(row, 2, "whether the server is a replica")?,
            ));
            Ok(())
        }),
    )?;
    out.ok_or_else(|| Error::new(ErrorKind::NoRow, "no row for the replica's position"))
}

impl Connection {
    /// The primary's log position now, at or past the end of everything committed on this
    /// connection ([`ReplicaPositions::after_commit`]): a replica that has replayed it sees
    /// those writes (pass it to [`Engine::connect_replica`]). `None` when the dialect has no
    /// replica positions. Run it on a primary connection, after COMMIT.
    ///
    /// # Errors
    /// Database errors (PostgreSQL refuses it on a standby).
    pub fn write_position(&mut self) -> Result<Option<WritePosition>> {
        let Some(sql) = self.dialect().replica_positions() else {
            return Ok(None);
        };
        let mut out = None;
        let params: [ValueRef<'_>; 0] = [];
        self.raw()?.run(
            sql.after_commit,
            &params,
            Some(&mut |row: &dyn Row| {
                out = Some(WritePosition(get_at(row, 0, "the primary's log position")?));
                Ok(())
            }),
        )?;
        out.map(Some)
            .ok_or_else(|| Error::new(ErrorKind::NoRow, "no row for the primary's log position"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(position: i64, clock: f64) -> PrimarySample {
        PrimarySample {
            at: Instant::now(),
            position,
            clock,
        }
    }

    #[test]
    fn a_replica_at_the_primary_position_is_not_lagging_however_old_its_last_commit() {
        let p = sample(1000, 1_000_000.0);
        let (state, lag) = judge(&p, p.at, Some(1000), Some(1.0), Duration::from_secs(1));
        assert_eq!(state, ReplicaState::Healthy);
        assert_eq!(lag, Some(Duration::ZERO));
    }

    #[test]
    fn a_replica_behind_is_lagging_by_the_primary_clock_minus_its_last_commit() {
        let p = sample(1000, 100.0);
        let (state, lag) = judge(&p, p.at, Some(999), Some(97.5), Duration::from_secs(2));
        assert_eq!(state, ReplicaState::Lagging);
        assert_eq!(lag, Some(Duration::from_millis(2500)));
        let (state, _) = judge(&p, p.at, Some(999), Some(98.5), Duration::from_secs(2));
        assert_eq!(state, ReplicaState::Healthy);
        // Time since the sample counts on the primary's clock.
        let later = p.at + Duration::from_secs(3);
        let (state, lag) = judge(&p, later, Some(999), Some(98.5), Duration::from_secs(2));
        assert_eq!(state, ReplicaState::Lagging);
        assert_eq!(lag, Some(Duration::from_millis(4500)));
    }

    #[test]
    fn a_replica_behind_without_a_replayed_commit_time_is_lagging() {
        let p = sample(1000, 100.0);
        assert_eq!(
            judge(&p, p.at, Some(10), None, Duration::from_secs(60)).0,
            ReplicaState::Lagging
        );
        assert_eq!(
            judge(&p, p.at, None, None, Duration::from_secs(60)).0,
            ReplicaState::Lagging
        );
    }
}
