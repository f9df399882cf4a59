//! `cargo xtask <command>`: see `cargo xtask help`.

use std::process::ExitCode;
use std::time::Instant;

use xtask::{Mode, SPEC_PATH, generate, workspace_root};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  generate            regenerate lomi-client/src/generated from spec/lomi.yaml
  generate --check    change nothing; exit 1 with a diff if the committed client is stale
  bench-codegen       time each generator stage on our spec and on 10/100/1,000-operation
                      specs (builds the xtask in release first)
  help                show this message

options for generate:
  -v, --verbose       also print the files that are already up to date and the time taken
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.split_first() {
        Some((&"generate", rest)) => run_generate(rest),
        Some((&"bench-codegen", _)) => run_bench(),
        Some((&("help" | "-h" | "--help"), _)) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some((other, _)) => {
            eprintln!("error: unknown command `{other}`\n\n{USAGE}");
            ExitCode::from(2)
        }
        None => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Benchmarks are only meaningful optimised: a debug xtask re-runs itself in release.
fn run_bench() -> ExitCode {
    if cfg!(debug_assertions) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args([
                "run",
                "--quiet",
                "--release",
                "--package",
                "xtask",
                "--",
                "bench-codegen",
            ])
            .current_dir(workspace_root())
            .status();
        return match status {
            Ok(s) if s.success() => ExitCode::SUCCESS,
            Ok(_) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("error: cannot run the release build: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let spec = match std::fs::read_to_string(workspace_root().join(SPEC_PATH)) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {SPEC_PATH}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match xtask::bench::run(&spec) {
        Ok(table) => {
            println!("generator stages, median of several runs (release build)\n\n{table}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_generate(args: &[&str]) -> ExitCode {
    let mut mode = Mode::Write;
    let mut verbose = false;
    for arg in args {
        match *arg {
            "--check" => mode = Mode::Check,
            "-v" | "--verbose" => verbose = true,
            other => {
                eprintln!("error: unknown option `{other}` for `generate`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }

    let started = Instant::now();
    let report = match generate(&workspace_root(), mode) {
        Ok(report) => report,
        Err(failure) => {
            eprintln!("{failure}");
            return ExitCode::FAILURE;
        }
    };
    for warning in &report.warnings {
        eprintln!("{warning}\n");
    }

    let code = match mode {
        Mode::Check if !report.is_up_to_date() => {
            eprint!("{}", report.stale_message(SPEC_PATH));
            ExitCode::FAILURE
        }
        Mode::Check => {
            println!("lomi-client is up to date with {SPEC_PATH}");
            ExitCode::SUCCESS
        }
        Mode::Write => {
            for change in &report.changed {
                println!("wrote   {}", change.path);
            }
            for path in &report.stale {
                println!("deleted {path}");
            }
            if report.is_up_to_date() {
                println!("lomi-client is already up to date with {SPEC_PATH}");
            }
            ExitCode::SUCCESS
        }
    };
    if verbose {
        println!("took {:.2?}", started.elapsed());
    }
    code
}
