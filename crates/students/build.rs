//! Build script of the tests: turns `CINNABAR_TEST_POSTGRES` / `CINNABAR_TEST_MYSQL` into
//! the cfgs `cinnabar_test_postgres` / `cinnabar_test_mysql`, as crates/cinnabar/build.rs
//! does, so server-backed tests are reported `ignored` with the reason when unset.

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
