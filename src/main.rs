//! The `vjc` binary: argument parsing, files and the terminal. The library
//! (`vjc::…`) does no I/O; everything that does lives in `cli`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
