//! Compile-time guarantees of `#[derive(Model)]`: typed column comparisons, and attribute or
//! field-type mistakes reported at the offending span; and of the async facade (feature
//! `async`): a unit of work's `Session` cannot be held across an `.await`. Regenerate the expected output with
//! `TRYBUILD=overwrite cargo test -p cinnabar-sql --test compile_fail`, then review each `.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/fail_*.rs");
    // The async facade: a Session cannot be held across an `.await`.
    if cfg!(feature = "async") {
        t.compile_fail("tests/ui/async_*.rs");
    }
    // Trait errors: rustc's notes list types implementing `ColumnType` (and how it names
    // them), which depends on the optional type features, so the expected output is the one
    // recorded with default features. `--all-features` skips them; `.ci/run` runs this test
    // with the default features as a step of its own and checks that every one of them ran.
    if cfg!(not(any(
        feature = "chrono",
        feature = "uuid",
        feature = "decimal",
        feature = "json"
    ))) {
        t.compile_fail("tests/ui/type_*.rs");
    }
}
