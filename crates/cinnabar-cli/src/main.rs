//! The `cinnabar` binary: `cinnabar codegen`, `cinnabar migrate ...` (see `cinnabar --help`).

fn main() -> std::process::ExitCode {
    cinnabar_cli::run(std::env::args_os())
}
