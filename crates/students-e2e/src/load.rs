//! The mixed workload over the students API, shared by the `students-load` benchmark and the
//! cancellation test: what to request ([`Op`], picked by [`pick`]), sending it ([`send`]),
//! the load run with C concurrent clients ([`run`]) and the lost-write check ([`verify`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

/// A small deterministic random generator (xorshift64*), so a run can be repeated by seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (0 is replaced by a fixed odd constant).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The ids a workload picks from, read from the API before it starts.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// Student ids.
    pub students: Vec<i64>,
    /// Course ids.
    pub courses: Vec<i64>,
    /// (student, course) of existing enrollments, for attendance records.
    pub enrolled: Vec<(i64, i64)>,
}

async fn all_items(http: &Client, base: &str, path: &str) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    for page in 1.. {
        let url = format!("{base}{path}?page={page}&per_page=100");
        let body: Value = http
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?
            .json()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        let list = body["items"].as_array().cloned().unwrap_or_default();
        items.extend(list);
        if body["has_next"] != json!(true) {
            break;
        }
    }
    Ok(items)
}

/// Reads the students, courses and enrollments through the API.
///
/// # Errors
/// A message naming the request that failed.
pub async fn targets(http: &Client, base: &str) -> Result<Targets, String> {
    let ids =
        |items: Vec<Value>| -> Vec<i64> { items.iter().filter_map(|i| i["id"].as_i64()).collect() };
    let students = ids(all_items(http, base, "/api/students").await?);
    let courses = ids(all_items(http, base, "/api/courses").await?);
    let enrolled = all_items(http, base, "/api/enrollments")
        .await?
        .iter()
        .filter_map(|e| Some((e["student_id"].as_i64()?, e["course_id"].as_i64()?)))
        .collect();
    let targets = Targets {
        students,
        courses,
        enrolled,
    };
    if targets.students.is_empty() || targets.courses.is_empty() || targets.enrolled.is_empty() {
        return Err(format!(
            "{base} has no students, courses or enrollments to work on (the demo data?)"
        ));
    }
    Ok(targets)
}

/// One request of the workload.
#[derive(Debug, Clone)]
pub enum Op {
    /// `GET /api/students?page=N`
    ListStudents(u64),
    /// `GET /api/students/{id}`
    ShowStudent(i64),
    /// `GET /api/courses/{id}`
    ShowCourse(i64),
    /// `GET /api/enrollments?course_id=N`
    CourseEnrollments(i64),
    /// `POST /api/students` with a unique e-mail (sequence number).
    CreateStudent(u64),
    /// `POST /api/attendance` for an enrolled (student, course) on a day unique to this
    /// request (sequence number), so it never collides with another record.
    RecordAttendance(i64, i64, u64),
    /// `POST /api/enrollments`: refused with 409 when the course is full or the student is
    /// already enrolled.
    Enrol(i64, i64),
}

fn pick_from<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    items[rng.below(items.len() as u64) as usize]
}

/// A request: a read (list or detail) with probability `1 - write_percent / 100`, else a
/// write (40% new students, 40% attendance, 20% enrolments). `seq` makes writes unique.
pub fn pick(rng: &mut Rng, t: &Targets, write_percent: u64, seq: u64) -> Op {
    if rng.below(100) < write_percent {
        match rng.below(5) {
            0 | 1 => Op::CreateStudent(seq),
            2 | 3 => {
                let (s, c) = pick_from(rng, &t.enrolled);
                Op::RecordAttendance(s, c, seq)
            }
            _ => Op::Enrol(pick_from(rng, &t.students), pick_from(rng, &t.courses)),
        }
    } else {
        match rng.below(4) {
            0 => Op::ListStudents(1 + rng.below(3)),
            1 => Op::ShowStudent(pick_from(rng, &t.students)),
            2 => Op::ShowCourse(pick_from(rng, &t.courses)),
            _ => Op::CourseEnrollments(pick_from(rng, &t.courses)),
        }
    }
}

impl Op {
    /// Whether the request writes.
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Op::CreateStudent(_) | Op::RecordAttendance(..) | Op::Enrol(..)
        )
    }

    /// Method, path and JSON body.
    pub fn request(&self) -> (Method, String, Option<Value>) {
        match *self {
            Op::ListStudents(page) => (Method::GET, format!("/api/students?page={page}"), None),
            Op::ShowStudent(id) => (Method::GET, format!("/api/students/{id}"), None),
            Op::ShowCourse(id) => (Method::GET, format!("/api/courses/{id}"), None),
            Op::CourseEnrollments(id) => (
                Method::GET,
                format!("/api/enrollments?course_id={id}"),
                None,
            ),
            Op::CreateStudent(seq) => (
                Method::POST,
                "/api/students".to_owned(),
                Some(json!({"name": format!("Load Student {seq}"),
                            "email": format!("load.{seq}.{}@example.edu", std::process::id())})),
            ),
            Op::RecordAttendance(student, course, seq) => {
                let day = chrono_free_day(seq);
                (
                    Method::POST,
                    "/api/attendance".to_owned(),
                    Some(json!({"student_id": student, "course_id": course,
                                "day": day, "present": seq % 3 != 0})),
                )
            }
            Op::Enrol(student, course) => (
                Method::POST,
                "/api/enrollments".to_owned(),
                Some(json!({"student_id": student, "course_id": course})),
            ),
        }
    }

    /// The collection a successful write created a row in (`/api/students`, ...).
    pub fn collection(&self) -> Option<&'static str> {
        match self {
            Op::CreateStudent(_) => Some("/api/students"),
            Op::RecordAttendance(..) => Some("/api/attendance"),
            Op::Enrol(..) => Some("/api/enrollments"),
            _ => None,
        }
    }
}

/// `YYYY-MM-DD` of the `seq`-th day from 2030-01-01 on a calendar of twelve 28-day months
/// (unique, valid dates without a date library).
fn chrono_free_day(seq: u64) -> String {
    let year = 2030 + seq / 336;
    let month = 1 + (seq % 336) / 28;
    let day = 1 + seq % 28;
    format!("{year:04}-{month:02}-{day:02}")
}

/// What came back.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// 2xx; for a write, the collection and the id of the created row.
    Done(Option<(&'static str, i64)>),
    /// 409: the application refused (a full course, an existing enrollment).
    Refused,
    /// Anything else: the status and body, or the transport error.
    Error(String),
}

/// Sends `op` to the app at `base`.
pub async fn send(http: &Client, base: &str, op: &Op) -> Outcome {
    let (method, path, body) = op.request();
    let mut req = http.request(method, format!("{base}{path}"));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return Outcome::Error(format!("{path}: {e}")),
    };
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    if status.is_success() {
        let created = op.collection().and_then(|c| {
            let id = serde_json::from_str::<Value>(&text).ok()?["id"].as_i64()?;
            Some((c, id))
        });
        if op.collection().is_some() && created.is_none() {
            return Outcome::Error(format!("{path}: {status} without an id: {text}"));
        }
        Outcome::Done(created)
    } else if status == StatusCode::CONFLICT && op.is_write() {
        Outcome::Refused
    } else {
        Outcome::Error(format!("{path}: {status} {text}"))
    }
}

/// How a load run goes.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Concurrent clients.
    pub clients: usize,
    /// Requests in all.
    pub requests: usize,
    /// Percent of writes.
    pub write_percent: u64,
    /// Random seed.
    pub seed: u64,
}

/// What a load run measured.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Requests sent.
    pub requests: usize,
    /// Of which writes.
    pub writes: usize,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Every request's latency, sorted.
    pub latencies: Vec<Duration>,
    /// Writes the application refused with 409 (full course, enrolled already).
    pub refused: usize,
    /// Errors (anything but 2xx and a write's 409); the first few kept in `error_samples`.
    pub errors: usize,
    /// Up to 5 error messages.
    pub error_samples: Vec<String>,
    /// Writes acknowledged with 2xx: collection and id.
    pub acknowledged: Vec<(&'static str, i64)>,
}

impl LoadReport {
    /// Requests per second.
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`-th percentile latency (0..=100).
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * (self.latencies.len() - 1) as f64).round() as usize;
        self.latencies[rank.min(self.latencies.len() - 1)]
    }
}

/// Drives the app at `base` with `options.clients` concurrent clients until
/// `options.requests` requests have been sent.
///
/// # Errors
/// A message when the targets cannot be read.
pub async fn run(base: &str, options: &LoadOptions) -> Result<LoadReport, String> {
    let http = Client::new();
    let targets = Arc::new(targets(&http, base).await?);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for c in 0..options.clients.max(1) {
        let (http, base, targets, next) =
            (http.clone(), base.to_owned(), targets.clone(), next.clone());
        let (total, write_percent) = (options.requests, options.write_percent);
        let mut rng = Rng::new(options.seed ^ ((c as u64 + 1) * 0x9E37_79B9));
        clients.spawn(async move {
            let mut part = LoadReport::default();
            loop {
                let seq = next.fetch_add(1, Ordering::Relaxed);
                if seq >= total {
                    break part;
                }
                let op = pick(&mut rng, &targets, write_percent, seq as u64);
                let t = Instant::now();
                let outcome = send(&http, &base, &op).await;
                part.latencies.push(t.elapsed());
                part.requests += 1;
                part.writes += usize::from(op.is_write());
                match outcome {
                    Outcome::Done(Some(created)) => part.acknowledged.push(created),
                    Outcome::Done(None) => {}
                    Outcome::Refused => part.refused += 1,
                    Outcome::Error(e) => {
                        part.errors += 1;
                        if part.error_samples.len() < 5 {
                            part.error_samples.push(e);
                        }
                    }
                }
            }
        });
    }
    let mut report = LoadReport::default();
    while let Some(part) = clients.join_next().await {
        let part = part.map_err(|e| format!("a client task failed: {e}"))?;
        report.requests += part.requests;
        report.writes += part.writes;
        report.latencies.extend(part.latencies);
        report.refused += part.refused;
        report.errors += part.errors;
        report.acknowledged.extend(part.acknowledged);
        let room = 5usize.saturating_sub(report.error_samples.len());
        report
            .error_samples
            .extend(part.error_samples.into_iter().take(room));
    }
    report.elapsed = started.elapsed();
    report.latencies.sort();
    Ok(report)
}

/// The acknowledged writes that the app no longer finds (`GET collection/id` not 200).
pub async fn verify(base: &str, acknowledged: &[(&'static str, i64)]) -> Vec<String> {
    let http = Client::new();
    let mut lost = Vec::new();
    for (collection, id) in acknowledged {
        let url = format!("{base}{collection}/{id}");
        match http.get(&url).send().await {
            Ok(r) if r.status() == StatusCode::OK => {}
            Ok(r) => lost.push(format!("{collection}/{id}: {}", r.status())),
            Err(e) => lost.push(format!("{collection}/{id}: {e}")),
        }
    }
    lost
}
