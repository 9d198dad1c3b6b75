//! A throwaway crate under `target/codegen-check/` that depends on the workspace's `cinnabar`
//! by path and holds generated modules, so a test can prove they compile against the real
//! derive and run them. It has its own `CARGO_TARGET_DIR` (`target/codegen-check/target`),
//! kept between runs, so only the first build compiles `cinnabar` and its dependencies.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The crate's directory and the modules written into it.
pub(crate) struct GeneratedCrate {
    dir: PathBuf,
    modules: Vec<String>,
}

/// The workspace root (two levels above this crate).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the workspace root")
        .to_path_buf()
}

/// The workspace's target directory.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                workspace_root().join(d)
            }
        }
        None => workspace_root().join("target"),
    }
}

impl GeneratedCrate {
    /// Lays out the crate (Cargo.toml, the workspace's Cargo.lock so that the same dependency
    /// versions are used, `src/`), keeping its target directory.
    pub(crate) fn new() -> GeneratedCrate {
        let dir = target_dir().join("codegen-check");
        // Files left from an earlier run are not in main.rs's `mod` lines, so not compiled.
        std::fs::create_dir_all(dir.join("src")).expect("create the generated crate");
        let cinnabar = workspace_root().join("crates/cinnabar");
        let manifest = format!(
            r#"[package]
name = "codegen-check"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
cinnabar-sql = {{ path = {path:?}, features = ["postgres", "mysql", "chrono", "uuid", "decimal", "json"] }}

[profile.dev]
debug = 0

# Not a member of the Cinnabar workspace it sits in.
[workspace]
"#,
            path = cinnabar.display().to_string()
        );
        write_if_changed(&dir.join("Cargo.toml"), &manifest);
        let lock = workspace_root().join("Cargo.lock");
        if !dir.join("Cargo.lock").exists() {
            std::fs::copy(&lock, dir.join("Cargo.lock")).expect("copy Cargo.lock");
        }
        GeneratedCrate {
            dir,
            modules: Vec::new(),
        }
    }

    /// Writes `src/<name>.rs` (a module of `main.rs`).
    pub(crate) fn module(&mut self, name: &str, text: &str) {
        write_if_changed(&self.dir.join("src").join(format!("{name}.rs")), text);
        self.modules.push(name.to_string());
    }

    /// Writes `src/<name>/` as `--out` would (mod.rs and one file per model).
    pub(crate) fn module_dir(&mut self, name: &str, files: &[(String, String)]) {
        let dir = self.dir.join("src").join(name);
        std::fs::create_dir_all(&dir).expect("create a module directory");
        for (file, text) in files {
            write_if_changed(&dir.join(file), text);
        }
        self.modules.push(name.to_string());
    }

    /// Writes `src/main.rs`: a `mod` line per module, then `body` (which has `fn main`).
    pub(crate) fn main(&self, body: &str) {
        let mut text = String::from("#![allow(dead_code, unused_imports)]\n\n");
        for m in &self.modules {
            text.push_str(&format!("mod {m};\n"));
        }
        text.push('\n');
        text.push_str(body);
        write_if_changed(&self.dir.join("src/main.rs"), &text);
    }

    /// `cargo build`s the crate and returns its binary, or cargo's output when it fails.
    pub(crate) fn build(&self) -> Result<PathBuf, String> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let target = self.dir.join("target");
        let out = Command::new(cargo)
            .arg("build")
            .arg("--quiet")
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cargo build of {} failed:\n{}{}",
                self.dir.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(target
            .join("debug")
            .join(format!("codegen-check{}", std::env::consts::EXE_SUFFIX)))
    }
}

/// Writes `text` unless the file already holds it, so unchanged files keep their
/// modification time and cargo's rebuild is incremental.
fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}
