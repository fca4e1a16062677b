//! The `herstelbrug` binary: see `herstelbrug --help`.

fn main() -> std::process::ExitCode {
    herstelbrug_api::cli::main()
}
