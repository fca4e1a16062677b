//! The `herstelbrug` command line, built inside the test crate so tests can run it as a
//! process (cargo only hands integration tests the binaries of their own package).

fn main() -> std::process::ExitCode {
    herstelbrug_api::cli::main()
}
