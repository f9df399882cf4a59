//! `cargo xtask <command>`: see `cargo xtask help`.

use std::process::ExitCode;
use std::time::Instant;

use xtask::{Mode, SPEC_PATH, generate, workspace_root};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  generate            regenerate lomi-client/src/generated from spec/lomi.yaml
  generate --check    change nothing; exit 1 with a diff if the committed client is stale
  help                show this message

options for generate:
  -v, --verbose       also print the files that are already up to date and the time taken
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.split_first() {
        Some((&"generate", rest)) => run_generate(rest),
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
