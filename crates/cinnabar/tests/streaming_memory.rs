//! `query.iter()` holds a bounded amount of memory, whatever the number of rows: a counting
//! global allocator measures the bytes the process has live (Rust allocations; SQLite's own
//! page cache is not among them, and is bounded by its cache size anyway) while a session
//! walks 50,000 and then 200,000 rows keeping none of them. The peak above the start must be
//! the same small figure for both, and the identity map must stay within a small multiple
//! of the chunk size. One test in this binary, so no other test's allocations are counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use cinnabar::prelude::*;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; the counters only observe sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "readings")]
struct Reading {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    sensor: String,
    note: Option<String>,
}

const ROWS: i64 = 200_000;
const CHUNK: usize = 1_000;

/// Walks the readings with `id <= upto`, keeping none; returns (rows seen, peak live bytes
/// above the start, most live objects in the identity map in the middle of a chunk when
/// `sample`, else 0: counting prunes the map, so the walks that measure memory do not).
fn walk(session: &mut Session, upto: i64, sample: bool) -> (i64, usize, usize) {
    let start = LIVE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let mut seen = 0i64;
    let mut most_in_map = 0usize;
    let mut it = session
        .query::<Reading>()
        .filter(Reading::id.le(upto))
        .iter()
        .chunk_size(CHUNK);
    while let Some(h) = it.next() {
        let h = h.expect("row");
        assert_eq!(
            h.read().sensor,
            format!("sensor-{}", h.read().id.unwrap_or(0) % 97)
        );
        seen += 1;
        drop(h);
        if sample && seen % (CHUNK as i64) == (CHUNK as i64) / 2 {
            most_in_map = most_in_map.max(it.session().identity_count::<Reading>());
        }
    }
    (seen, PEAK.load(Ordering::Relaxed) - start, most_in_map)
}

#[test]
fn iterating_keeps_memory_bounded_whatever_the_row_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:///{}", dir.path().join("stream.db").display());
    let engine = create_engine(&url).expect("engine");
    MetaData::new()
        .with(Reading::table().clone())
        .create_all(&engine)
        .expect("create_all");
    // Rows made by SQLite itself (a recursive CTE), so the seeding allocates nothing here.
    engine
        .connect()
        .expect("connect")
        .execute(text(format!(
            "INSERT INTO readings (id, sensor, note) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) \
             SELECT i, 'sensor-' || (i % 97), 'a note of some length for row ' || i FROM n"
        )))
        .expect("seed");

    let mut session = Session::new(&engine);
    // Warm up: the connection, its statement cache, the session's registry and SQL caches.
    let (warm, _, _) = walk(&mut session, 5_000, false);
    assert_eq!(warm, 5_000);

    let (small, small_peak, _) = walk(&mut session, ROWS / 4, false);
    let (all, all_peak, _) = walk(&mut session, ROWS, false);
    let (_, _, all_map) = walk(&mut session, ROWS, true);
    eprintln!(
        "peak above start: {small_peak} bytes for {} rows, {all_peak} for {ROWS}; \
         live objects in the map at most {all_map}",
        ROWS / 4
    );
    assert_eq!(small, ROWS / 4);
    assert_eq!(all, ROWS);
    // A chunk of 1,000 objects is about 1,000 × (object + two strings + map entry), a few
    // hundred KB; holding all 200,000 would be tens of MB.
    const BOUND: usize = 4 << 20;
    assert!(
        all_peak < BOUND,
        "iterating {ROWS} rows peaked {all_peak} bytes above the start (bound {BOUND})"
    );
    assert!(
        all_peak <= small_peak + (256 << 10),
        "the peak grew with the row count: {small_peak} bytes for {} rows, {all_peak} for {ROWS}",
        ROWS / 4
    );
    assert!(
        all_map > 0 && all_map <= 2 * CHUNK,
        "identity map held {all_map} live objects mid-chunk, chunk {CHUNK}"
    );
    assert!(
        session.identity_count::<Reading>() == 0,
        "nothing is held after the loop"
    );
}
