//! Build script of the test harness: turns `CINNABAR_TEST_POSTGRES` / `CINNABAR_TEST_MYSQL`
//! into the cfgs `cinnabar_test_postgres` / `cinnabar_test_mysql`, and the cluster URLs of
//! issue 16 (`scripts/clusters/`: `CINNABAR_TEST_PGBOUNCER`, `CINNABAR_TEST_GALERA`) into theirs.
//!
//! libtest on stable can mark a test ignored only at compile time, so the server-backed test
//! instances carry `#[cfg_attr(not(cinnabar_test_postgres), ignore = "CINNABAR_TEST_POSTGRES
//! is not set")]` and are reported as `ignored` with that reason, never `ok`. Cargo reruns
//! this script (and rebuilds) when either variable changes. The library itself does not use
//! the cfgs. `crates/cinnabar-engine/build.rs` is the same script for the driver tests.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for (var, cfg) in [
        ("CINNABAR_TEST_POSTGRES", "cinnabar_test_postgres"),
        ("CINNABAR_TEST_MYSQL", "cinnabar_test_mysql"),
        ("CINNABAR_TEST_PGBOUNCER", "cinnabar_test_pgbouncer"),
        ("CINNABAR_TEST_GALERA", "cinnabar_test_galera"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        let set = std::env::var(var).is_ok_and(|v| !v.trim().is_empty());
        if set {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    // Read replicas (issue 16, tests/replicas.rs): the primary + standby pair that
    // scripts/clusters/standby.sh starts; both variables must be set.
    println!("cargo::rustc-check-cfg=cfg(cinnabar_test_pg_standby)");
    let mut both = true;
    for var in ["CINNABAR_TEST_PG_PRIMARY", "CINNABAR_TEST_PG_STANDBY"] {
        println!("cargo::rerun-if-env-changed={var}");
        both &= std::env::var(var).is_ok_and(|v| !v.trim().is_empty());
    }
    if both {
        println!("cargo::rustc-cfg=cinnabar_test_pg_standby");
    }
}
