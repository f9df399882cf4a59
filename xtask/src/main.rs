//! `cargo xtask <command>`: see `cargo xtask help`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use xtask::{
    Baseline, Mode, OVERLAY_PATH, Options, Renames, SPEC_PATH, UPSTREAM_PATH, Warnings,
    generate_with, workspace_root,
};

/// Maintainer commands for lomi-rs.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Apply spec/overlay.yaml to spec/upstream.yaml, write the result as spec/lomi.yaml,
    /// and regenerate lomi-client/src/generated, lomi-httpmock and lomi-mock's spec copy.
    Generate {
        /// Change nothing; exit 1 with a diff if spec/lomi.yaml or the committed client
        /// is stale.
        #[arg(long)]
        check: bool,
        /// Treat lint warnings (examples, defaults…) as errors; write nothing.
        #[arg(long)]
        deny_warnings: bool,
        /// Let lomi.'s renames change published Rust names (a breaking release): without
        /// it, a renamed path parameter keeps its setter and a renamed operationId,
        /// schema or property stops generation with the overlay action that keeps it.
        #[arg(long)]
        accept_renames: bool,
        /// The published client whose Rust names are kept and against which changes are
        /// summarized: a git revision (its spec/lomi.yaml) or a spec file (default: HEAD).
        #[arg(long, value_name = "REV|PATH")]
        baseline: Option<String>,
        /// Also print the time taken.
        #[arg(short, long)]
        verbose: bool,
    },
    /// What changed for client users between two specs (a path or REV:path), with the
    /// version bump it calls for; exits 1 on a breaking change unless --allow-breaking.
    DiffSpec {
        /// The old spec (default: HEAD:spec/lomi.yaml).
        old: Option<String>,
        /// The new spec (default: spec/lomi.yaml).
        new: Option<String>,
        /// How to print the report.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit 0 even when the change is breaking.
        #[arg(long)]
        allow_breaking: bool,
    },
    /// Feed spec/lomi.yaml to OpenAPI Generator's python target (`openapi-generator-cli`
    /// on PATH, or $OPENAPI_GENERATOR_CLI) and compare its CheckoutSessionsApi.md with
    /// the official SDK's page, spec/python-sdk/CheckoutSessionsApi.md, byte for byte.
    CheckPythonDoc,
    /// Time each generator stage on our spec and on 10/100/1,000-operation specs (builds
    /// the xtask in release first).
    BenchCodegen,
    /// Cold build time of a crate using lomi-client against one using OpenAPI
    /// Generator's rust client for the same spec, and of each client crate alone (needs
    /// openapi-generator-cli, like check-python-doc).
    BenchBuild {
        /// Measure another checkout (an older commit, for a before/after).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Run cargo-semver-checks (the pinned version, installed from crates.io when
    /// missing) on every API folder's client crate, as regenerated in the working tree,
    /// against the committed one: a second opinion beside diff-spec's Rust API report.
    /// Items it reports missing only because they are re-exported from another crate
    /// (lomi-runtime) are checked by importing every public path of the baseline.
    Semver {
        /// The git revision of the published client (default: HEAD).
        #[arg(long, default_value = "HEAD")]
        baseline: String,
    },
}

/// How `diff-spec` prints its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Markdown,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Generate {
            check,
            deny_warnings,
            accept_renames,
            baseline,
            verbose,
        } => run_generate(check, deny_warnings, accept_renames, baseline, verbose),
        Command::DiffSpec {
            old,
            new,
            format,
            allow_breaking,
        } => run_diff(old, new, format, allow_breaking),
        Command::CheckPythonDoc => run_python_doc(),
        Command::BenchCodegen => run_bench(),
        Command::BenchBuild { root } => run_build_bench(root),
        Command::Semver { baseline } => run_semver(&baseline),
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

fn run_build_bench(root: Option<PathBuf>) -> ExitCode {
    let root = root.unwrap_or_else(workspace_root);
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

/// The cargo-semver-checks this project is checked with: its rustdoc JSON support must
/// match the toolchain, so it moves with the toolchain, deliberately.
const SEMVER_CHECKS_VERSION: &str = "0.50.0";

/// `cargo semver-checks` on each API folder's client against `baseline`, installing the pinned
/// version first if another (or none) is on PATH.
fn run_semver(baseline: &str) -> ExitCode {
    let installed = std::process::Command::new("cargo")
        .args(["semver-checks", "--version"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let wanted = format!("cargo-semver-checks {SEMVER_CHECKS_VERSION}");
    if installed.as_deref() != Some(wanted.as_str()) {
        eprintln!(
            "installing {wanted} from crates.io (found {}); this takes several minutes…",
            installed.as_deref().unwrap_or("none")
        );
        let status = std::process::Command::new("cargo")
            .args(["install", "--locked", "cargo-semver-checks", "--version"])
            .arg(format!("={SEMVER_CHECKS_VERSION}"))
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("error: cannot install {wanted}: see cargo's output above");
            return ExitCode::FAILURE;
        }
    }
    let root = workspace_root();
    let folders = match xtask::api_folders(&root) {
        Ok(folders) => folders,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    for api in folders {
        let dir = api.client_crate.as_str();
        let package = xtask::package_name(&root, dir).unwrap_or_else(|| dir.to_string());
        match xtask::semver::check(&root, &package, dir, baseline) {
            Ok(xtask::semver::Verdict::Clean) => {
                println!("{package}: no change its version does not allow (against {baseline})")
            }
            Ok(xtask::semver::Verdict::ReExportsOnly { flagged, paths }) => println!(
                "{package}: no change its version does not allow (against {baseline}). \
                 cargo-semver-checks reported {flagged} items missing, all re-exported from \
                 another crate, which it cannot follow (its issue #638): each of the \
                 baseline's {paths} public paths still resolves (a probe crate imports them \
                 all). What changed inside those items is diff-spec's Rust API report's to say."
            ),
            Ok(xtask::semver::Verdict::NoBaseline) => {
                println!("{package}: not in {baseline}, nothing to compare")
            }
            Err(e) => {
                eprintln!(
                    "{e}\nerror: {package} changed in a way its version does not allow \
                     (compare with `cargo xtask diff-spec {baseline}:{spec} {spec}`)",
                    spec = api.spec
                );
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
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

fn run_diff(
    old: Option<String>,
    new: Option<String>,
    format: Format,
    allow_breaking: bool,
) -> ExitCode {
    let old = old.unwrap_or_else(|| format!("HEAD:{SPEC_PATH}"));
    let new = new.unwrap_or_else(|| SPEC_PATH.to_string());
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
        Format::Json => println!("{:#}", report.to_json(&version)),
        Format::Markdown => print!("{}", report.to_markdown(&version)),
        Format::Text => print!("{}", report.to_text(&version)),
    }
    if report.is_breaking() && !allow_breaking {
        eprintln!("error: the spec change is breaking; pass --allow-breaking to accept it");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn run_generate(
    check: bool,
    deny_warnings: bool,
    accept_renames: bool,
    baseline: Option<String>,
    verbose: bool,
) -> ExitCode {
    // Long: one report line per outcome of `generate` (written, stale, warnings, the change summary).
    let mode = if check { Mode::Check } else { Mode::Write };
    let warnings = if deny_warnings {
        Warnings::Deny
    } else {
        Warnings::Allow
    };

    let started = Instant::now();
    let renames = if accept_renames {
        Renames::Accept
    } else {
        Renames::Keep
    };
    let root = workspace_root();
    let options = Options {
        warnings,
        renames,
        baseline: baseline.map_or(Baseline::Head, |b| Baseline::parse(&root, &b)),
    };
    let report = match generate_with(&root, mode, &options) {
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

    let apis = xtask::api_folders(&root).unwrap_or_default();
    let sources = apis
        .iter()
        .map(xtask::ApiFolder::sources)
        .collect::<Vec<_>>()
        .join(", ");
    let up_to_date = |when: &str| {
        for api in &apis {
            println!(
                "{} and {} {when} up to date with {}",
                api.spec,
                api.client_crate,
                api.sources()
            );
        }
    };
    let code = match mode {
        Mode::Check if !report.is_up_to_date() => {
            eprint!("{}", report.stale_message(&sources));
            ExitCode::FAILURE
        }
        Mode::Check => {
            up_to_date("are");
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
                up_to_date("were already");
            }
            ExitCode::SUCCESS
        }
    };
    if verbose {
        println!("took {:.2?}", started.elapsed());
    }
    code
}
