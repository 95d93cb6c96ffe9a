//! `her`: the game (when built with the `game` feature) and the tools for writers and modders.

fn main() -> std::process::ExitCode {
    her::cli::main()
}
