//! Build script of the migration tests: turns `CINNABAR_TEST_POSTGRES` / `CINNABAR_TEST_MYSQL`
//! into the cfgs `cinnabar_test_postgres` / `cinnabar_test_mysql`, as `crates/cinnabar/build.rs`
//! does for the facade's tests (whose harness, `tests/support`, these tests share): libtest on
//! stable can mark a test ignored only at compile time, so a server-backed instance built
//! without its variable is reported `ignored` with the reason, never `ok`. The library itself
//! does not use the cfgs.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for (var, cfg) in [
        ("CINNABAR_TEST_POSTGRES", "cinnabar_test_postgres"),
        ("CINNABAR_TEST_MYSQL", "cinnabar_test_mysql"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        let set = std::env::var(var).is_ok_and(|v| !v.trim().is_empty());
        if set {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
