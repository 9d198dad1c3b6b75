//! Build script of the students app's end-to-end tests.
//!
//! Like `crates/cinnabar/build.rs`, turns `CINNABAR_TEST_POSTGRES` / `CINNABAR_TEST_MYSQL`
//! into the cfgs `cinnabar_test_postgres` / `cinnabar_test_mysql` (the compliance harness's
//! macros, reused by tests/cancellation.rs, read them), and sets `students_e2e_chromium` when
//! both `chromium` and `chromedriver` are on `PATH`: libtest can mark a test ignored only at
//! compile time, so the browser test is `ignored` ("chromium or chromedriver is not
//! installed") without them, and tests/browser.rs's `ci_has_chromium` fails under CI=true.

fn on_path(names: &[&str]) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| names.iter().any(|n| dir.join(n).is_file()))
}

/// Reruns this script when a directory of `PATH` changes (a browser installed or removed).
fn watch_path() {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path).filter(|d| d.is_dir()) {
            println!("cargo::rerun-if-changed={}", dir.display());
        }
    }
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=PATH");
    watch_path();
    for (var, cfg) in [
        ("CINNABAR_TEST_POSTGRES", "cinnabar_test_postgres"),
        ("CINNABAR_TEST_MYSQL", "cinnabar_test_mysql"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if std::env::var(var).is_ok_and(|v| !v.trim().is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    println!("cargo::rustc-check-cfg=cfg(students_e2e_chromium)");
    if on_path(&["chromium", "chromium-browser", "google-chrome"]) && on_path(&["chromedriver"]) {
        println!("cargo::rustc-cfg=students_e2e_chromium");
    }
}
