//! Property test ("fuzz") of the statement builder on the three dialects (issue 14, item 5).
//!
//! Random statements — nested expressions (CASE, CAST, any function by name, row values,
//! date/time, window functions), SELECTs with joins, derived tables, subqueries, set
//! operations and CTEs, ORDER BY and LIMIT, INSERT (... SELECT) / UPDATE / DELETE with
//! RETURNING, raw `text()` — with hostile strings as
//! values and as identifiers (generators in `fuzz_builder/`, one module per construct) are
//! compiled for SQLite, PostgreSQL and MySQL, and each compile is checked by
//! `fuzz_builder/oracle.rs`: no panic, a typed refusal exactly for invalid names and
//! unsupported features, placeholders = bound values, no value in the SQL text, every
//! identifier quoted. See docs/queries/fuzz.md.
//!
//! `CINNABAR_FUZZ_CASES` sets the number of statements (each compiled three times); the
//! default keeps a debug run short. The long run:
//! `CINNABAR_FUZZ_CASES=340000 cargo test --release -p cinnabar-core --test fuzz_builder -- --nocapture`
//! (1,020,000 compiles; see docs/queries/fuzz.md for the figures).

#[path = "fuzz_builder/mod.rs"]
mod fuzz_builder;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Instant;

use cinnabar_core::dialect::{compile, Dialect, MySqlDialect, PostgresDialect, SqliteDialect};
use cinnabar_core::ErrorKind;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use fuzz_builder::oracle::{self, Outcome};
use fuzz_builder::Ctx;

/// Statements per run unless `CINNABAR_FUZZ_CASES` says otherwise.
const DEFAULT_CASES: u32 = 800;

fn cases() -> u32 {
    match std::env::var("CINNABAR_FUZZ_CASES") {
        Ok(s) => s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CINNABAR_FUZZ_CASES={s:?} is not a number")),
        Err(_) => DEFAULT_CASES,
    }
}

const DIALECTS: [&dyn Dialect; 3] = [&SqliteDialect, &PostgresDialect, &MySqlDialect];

/// Outcomes per dialect.
#[derive(Default)]
struct Tally {
    compiled: [u64; 3],
    refused: [BTreeMap<String, u64>; 3],
    /// Over the three dialects: the first reason each refused compile had to refuse.
    reasons: BTreeMap<&'static str, u64>,
}

impl Tally {
    fn refused(&self, d: usize, kind: ErrorKind) -> u64 {
        self.refused[d]
            .get(&format!("{kind:?}"))
            .copied()
            .unwrap_or(0)
    }
}

#[test]
fn random_statements_compile_safely_on_every_dialect() {
    let cases = cases();
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let tally = RefCell::new(Tally::default());
    let show = std::env::var("CINNABAR_FUZZ_SHOW")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(0);
    let shown = std::cell::Cell::new(0);
    let started = Instant::now();
    let result = runner.run(&fuzz_builder::statement(), |recipe| {
        let mut ctx = Ctx::default();
        let stmt = recipe.build(&mut ctx);
        if shown.get() < show {
            shown.set(shown.get() + 1);
            for d in DIALECTS {
                eprintln!("{}: {:?}", d.name(), compile(d, &stmt).map(|c| c.sql));
            }
        }
        for (i, d) in DIALECTS.iter().enumerate() {
            let compiled = compile(*d, &stmt);
            match oracle::check(*d, &ctx, &stmt, &compiled) {
                Ok(Outcome::Compiled) => tally.borrow_mut().compiled[i] += 1,
                Ok(Outcome::Refused(kind, reason)) => {
                    let mut t = tally.borrow_mut();
                    *t.refused[i].entry(format!("{kind:?}")).or_default() += 1;
                    *t.reasons.entry(reason).or_default() += 1;
                }
                Err(why) => {
                    return Err(TestCaseError::fail(format!(
                        "{}: {why}\ncompiled: {compiled:?}\nrefusals: {:?}",
                        d.name(),
                        ctx.refusals
                    )))
                }
            }
        }
        Ok(())
    });
    let elapsed = started.elapsed();
    if let Err(e) = result {
        panic!("{e}");
    }
    let tally = tally.into_inner();
    eprintln!(
        "fuzz_builder: {cases} statements x 3 dialects = {} compiles in {:.1} s",
        u64::from(cases) * 3,
        elapsed.as_secs_f64()
    );
    for (i, d) in DIALECTS.iter().enumerate() {
        eprintln!(
            "  {:<10} compiled {:>8}  refused {:?}",
            d.name(),
            tally.compiled[i],
            tally.refused[i]
        );
    }
    eprintln!("  refusal reasons (all dialects): {:?}", tally.reasons);
    // At least half compiles on each dialect, and every kind of refusal the generators aim at happened
    // (so the hostile names and unsupported features are really generated).
    let n = u64::from(cases);
    if n < 100 {
        return;
    }
    for (i, d) in DIALECTS.iter().enumerate() {
        assert!(
            tally.compiled[i] * 2 >= n,
            "{}: only {} of {n} statements compiled",
            d.name(),
            tally.compiled[i]
        );
    }
    if n >= 500 {
        let (sqlite, pg, my) = (0, 1, 2);
        for i in [sqlite, pg, my] {
            assert!(
                tally.refused(i, ErrorKind::Misuse) > 0,
                "no NUL name refused"
            );
        }
        assert_eq!(tally.refused(sqlite, ErrorKind::IdentifierTooLong), 0);
        assert!(tally.refused(pg, ErrorKind::IdentifierTooLong) > 0);
        assert!(tally.refused(my, ErrorKind::IdentifierTooLong) > 0);
        assert!(
            tally.refused(my, ErrorKind::Unsupported) > 0,
            "RETURNING not refused"
        );
        assert_eq!(tally.refused(pg, ErrorKind::Unsupported), 0);
    }
}
