//! `cinnabar migrate` linked with the application's models, for writing revisions:
//! `cargo run -p students --bin migrate -- revision --autogenerate -m "..." --dir
//! crates/students/migrations` (docs/MIGRATIONS.md, "Linking the CLI with your models").

fn main() -> std::process::ExitCode {
    cinnabar::cli::main(students::models::metadata())
}
