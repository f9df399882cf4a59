//! `cargo xtask <command>`: see `cargo xtask help`.

use std::process::ExitCode;
use std::time::Instant;

use xtask::{Mode, OVERLAY_PATH, SPEC_PATH, UPSTREAM_PATH, Warnings, generate, workspace_root};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  generate            apply spec/overlay.yaml to spec/upstream.yaml, write the result as
                      spec/lomi.yaml, and regenerate lomi-client/src/generated from it
  generate --check    change nothing; exit 1 with a diff if spec/lomi.yaml or the
                      committed client is stale
  diff-spec [OLD] [NEW] [--format text|json|markdown] [--allow-breaking]
                      what changed for client users between two specs (a path or REV:path;
                      default HEAD:spec/lomi.yaml against spec/lomi.yaml), with the version
                      bump it calls for; exits 1 on a breaking change unless --allow-breaking
  check-python-doc    feed spec/lomi.yaml to OpenAPI Generator's python target (the
                      `openapi-generator-cli` on PATH, or $OPENAPI_GENERATOR_CLI) and
                      compare its CheckoutSessionsApi.md with the official SDK's page,
                      spec/python-sdk/CheckoutSessionsApi.md, byte for byte
  bench-codegen       time each generator stage on our spec and on 10/100/1,000-operation
                      specs (builds the xtask in release first)
  bench-build         cold build time of a crate using lomi-client against one using
                      OpenAPI Generator's rust client for the same spec, and of each
                      client crate alone (needs openapi-generator-cli, like
                      check-python-doc); --root PATH measures another checkout
  help                show this message

options for generate:
  --deny-warnings     treat lint warnings (examples, defaults…) as errors; write nothing
  -v, --verbose       also print the time taken
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.split_first() {
        Some((&"generate", rest)) => run_generate(rest),
        Some((&"bench-codegen", _)) => run_bench(),
        Some((&"bench-build", rest)) => run_build_bench(rest),
        Some((&"diff-spec", rest)) => run_diff(rest),
        Some((&"check-python-doc", _)) => run_python_doc(),
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
    let read = |rel: &str| {
        std::fs::read_to_string(workspace_root().join(rel))
            .map_err(|e| eprintln!("error: cannot read {rel}: {e}"))
    };
    let (Ok(spec), Ok(upstream), Ok(overlay)) =
        (read(SPEC_PATH), read(UPSTREAM_PATH), read(OVERLAY_PATH))
    else {
        return ExitCode::FAILURE;
    };
    match xtask::bench::run(&spec, &upstream, &overlay) {
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

fn run_build_bench(args: &[&str]) -> ExitCode {
    // `--root PATH` measures another checkout (an older commit, for a before/after).
    let root = match args {
        [] => workspace_root(),
        ["--root", path] => std::path::PathBuf::from(path),
        _ => {
            eprintln!("error: bench-build takes only `--root PATH`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let generator =
        std::env::var("OPENAPI_GENERATOR_CLI").unwrap_or_else(|_| "openapi-generator-cli".into());
    println!("building both clients from cold target folders; this takes a few minutes…");
    match xtask::build_bench::run(&root, &generator) {
        Ok(table) => {
            println!("\n{table}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The official Python SDK's reference page must come out of our spec unchanged: the
/// spec says everything the official SDKs were generated from.
fn run_python_doc() -> ExitCode {
    let root = workspace_root();
    let cli =
        std::env::var("OPENAPI_GENERATOR_CLI").unwrap_or_else(|_| "openapi-generator-cli".into());
    let out = std::env::temp_dir().join(format!("lomi-python-doc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let status = std::process::Command::new(&cli)
        .args(["generate", "-g", "python", "--package-name", "lomi", "-i"])
        .arg(root.join(SPEC_PATH))
        .arg("-o")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("error: `{cli} generate` failed ({s})");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!(
                "error: cannot run `{cli}`: {e}\n  = help: `pip install openapi-generator-cli==7.26.0` \
                 (needs Java 11 or later), or set OPENAPI_GENERATOR_CLI"
            );
            return ExitCode::FAILURE;
        }
    }
    let read = |path: &std::path::Path| std::fs::read_to_string(path).unwrap_or_default();
    let got = read(&out.join("docs/CheckoutSessionsApi.md"));
    let expected = read(&root.join("spec/python-sdk/CheckoutSessionsApi.md"));
    let _ = std::fs::remove_dir_all(&out);
    if got == expected {
        println!(
            "OpenAPI Generator's python target writes the official page from {SPEC_PATH}, byte for byte"
        );
        return ExitCode::SUCCESS;
    }
    let diff = similar::TextDiff::from_lines(&expected, &got)
        .unified_diff()
        .header("official page", "from spec/lomi.yaml")
        .to_string();
    eprintln!("error: {SPEC_PATH} no longer produces the official Python SDK page:\n{diff}");
    ExitCode::FAILURE
}

fn run_diff(args: &[&str]) -> ExitCode {
    let mut sides = Vec::new();
    let mut format = "text";
    let mut allow_breaking = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--allow-breaking" => allow_breaking = true,
            "--format" => match rest.next().copied() {
                Some(f @ ("text" | "json" | "markdown")) => format = f,
                other => {
                    eprintln!("error: --format takes text, json or markdown, not {other:?}");
                    return ExitCode::from(2);
                }
            },
            flag if flag.starts_with('-') => {
                eprintln!("error: unknown option `{flag}` for `diff-spec`\n\n{USAGE}");
                return ExitCode::from(2);
            }
            side => sides.push(side.to_string()),
        }
    }
    if sides.len() > 2 {
        eprintln!(
            "error: diff-spec takes at most two specs, got {}",
            sides.len()
        );
        return ExitCode::from(2);
    }
    let old = sides
        .first()
        .cloned()
        .unwrap_or_else(|| format!("HEAD:{SPEC_PATH}"));
    let new = sides
        .get(1)
        .cloned()
        .unwrap_or_else(|| SPEC_PATH.to_string());
    let root = workspace_root();
    let read = |side: &str| xtask::read_spec_side(&root, side);
    let report = match (read(&old), read(&new)) {
        (Ok(o), Ok(n)) => xtask::diff_specs(&old, &o, &new, &n),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let report = match report {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let version = xtask::client_version(&root);
    match format {
        "json" => println!("{:#}", report.to_json(&version)),
        "markdown" => print!("{}", report.to_markdown(&version)),
        _ => print!("{}", report.to_text(&version)),
    }
    if report.is_breaking() && !allow_breaking {
        eprintln!("error: the spec change is breaking; pass --allow-breaking to accept it");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn run_generate(args: &[&str]) -> ExitCode {
    let mut mode = Mode::Write;
    let mut warnings = Warnings::Allow;
    let mut verbose = false;
    for arg in args {
        match *arg {
            "--check" => mode = Mode::Check,
            "--deny-warnings" => warnings = Warnings::Deny,
            "-v" | "--verbose" => verbose = true,
            other => {
                eprintln!("error: unknown option `{other}` for `generate`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }

    let started = Instant::now();
    let report = match generate(&workspace_root(), mode, warnings) {
        Ok(report) => report,
        Err(failure) => {
            eprintln!("{failure}");
            return ExitCode::FAILURE;
        }
    };
    for warning in &report.warnings {
        eprintln!("{warning}\n");
    }
    if let Some(summary) = &report.summary {
        println!("{summary}");
    }

    let sources = format!("{UPSTREAM_PATH} + {OVERLAY_PATH}");
    let code = match mode {
        Mode::Check if !report.is_up_to_date() => {
            eprint!("{}", report.stale_message(&sources));
            ExitCode::FAILURE
        }
        Mode::Check => {
            println!("{SPEC_PATH} and lomi-client are up to date with {sources}");
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
                println!("{SPEC_PATH} and lomi-client were already up to date with {sources}");
            }
            ExitCode::SUCCESS
        }
    };
    if verbose {
        println!("took {:.2?}", started.elapsed());
    }
    code
}
