//! `cargo xtask bench-build`: how long a shop's crate takes to build with `lomi-client`
//! (default features) against the client OpenAPI Generator's `rust` target makes from
//! the same spec, in one run on this machine, as a table of times and ratios.
//!
//! Two measurements, each from a cold target folder of its own:
//! - **cold build**: `cargo build` of a small binary crate that depends on the client,
//!   every dependency included;
//! - **crate alone**: the client crate rebuilt after its sources are touched, with
//!   `CARGO_INCREMENTAL=0`, and the shop's crate rebuilt and relinked after it: the cost
//!   of the code we generate and write. Sub-second times are noisy on a shared machine,
//!   so the two sides take turns five times and the table gives medians, split into the
//!   client crate and the shop's crate with its link, and every round's ratio.
//!
//! Then lomi.'s current API: a shop's crate with `lomi-sdk` by default and with `full`,
//! against OpenAPI Generator's client for the whole current document, cold.
//!
//! Needs OpenAPI Generator (`pip install openapi-generator-cli==7.26.0`, Java 11+), on
//! PATH or as `$OPENAPI_GENERATOR_CLI`, and crates.io for the other client's dependencies.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{SPEC_PATH, copy_dir, scratch_manifest};

/// A binary crate using a client the way a shop's backend would: build it, make a call.
fn user_crate(dir: &Path, dependency: &str, body: &str) -> Result<(), String> {
    let io = |e: std::io::Error| format!("cannot write {}: {e}", dir.display());
    fs::create_dir_all(dir.join("src")).map_err(io)?;
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"shop\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{dependency}\n"
        ),
    )
    .map_err(io)?;
    fs::write(dir.join("src/main.rs"), body).map_err(io)
}

/// Runs `cargo build -p package` in `dir` into `target` and returns how long it took.
fn build(dir: &Path, target: &Path, package: &str, incremental: bool) -> Result<Duration, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = Instant::now();
    let output = Command::new(cargo)
        .args(["build", "--quiet", "-p", package])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", if incremental { "1" } else { "0" })
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo build` failed in {}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(started.elapsed())
}

/// Marks every `.rs` file under `dir` as changed.
fn touch(dir: &Path) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            touch(&path)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read(&path).map_err(|e| e.to_string())?;
            fs::write(&path, text).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// One side of the comparison: a workspace with the client and a user crate.
struct Side {
    name: &'static str,
    package: &'static str,
    workspace: PathBuf,
    client_src: PathBuf,
    target: PathBuf,
}

/// Sets both sides up under `scratch` and returns them, ours first.
fn setup(root: &Path, scratch: &Path, generator: &str) -> Result<[Side; 2], String> {
    let _ = fs::remove_dir_all(scratch);
    // Ours: a copy of lomi-client in a workspace like ours.
    let ours = scratch.join("ours");
    copy_dir(
        &root.join("lomi-client"),
        &ours.join("lomi-client"),
        &["examples", "tests"],
    )
    .map_err(|e| format!("cannot copy lomi-client: {e}"))?;
    let manifest = ours.join("lomi-client/Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
    fs::write(&manifest, crate::standalone_client_manifest(&text)).map_err(|e| e.to_string())?;
    fs::write(
        ours.join("Cargo.toml"),
        scratch_manifest(root, &["lomi-client".into(), "shop".into()]),
    )
    .map_err(|e| e.to_string())?;
    fs::copy(root.join("Cargo.lock"), ours.join("Cargo.lock")).map_err(|e| e.to_string())?;
    user_crate(
        &ours.join("shop"),
        "lomi-client = { path = \"../lomi-client\" }\ntokio = { version = \"1\", features = [\"rt\"] }",
        "fn main() {\n    let client = lomi_client::Client::builder(\"lomi_sk_test\").build().unwrap();\n    \
         let call = client.retrieve_checkout_session().session_id(\"cs_1\").send();\n    \
         let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();\n    \
         let _ = rt.block_on(call);\n}\n",
    )?;

    // Theirs: OpenAPI Generator's rust client for the same spec.
    let theirs = scratch.join("theirs");
    let status = Command::new(generator)
        .args(["generate", "-g", "rust", "--package-name", "lomi", "-i"])
        .arg(root.join(SPEC_PATH))
        .arg("-o")
        .arg(theirs.join("lomi"))
        .stdout(Stdio::null())
        .status()
        .map_err(|e| {
            format!(
                "cannot run `{generator}`: {e}\n  = help: `pip install openapi-generator-cli==7.26.0` \
                 (needs Java 11 or later), or set OPENAPI_GENERATOR_CLI"
            )
        })?;
    if !status.success() {
        return Err(format!("`{generator} generate -g rust` failed ({status})"));
    }
    fs::write(
        theirs.join("Cargo.toml"),
        "[workspace]\nmembers = [\"lomi\", \"shop\"]\nresolver = \"3\"\n",
    )
    .map_err(|e| e.to_string())?;
    user_crate(
        &theirs.join("shop"),
        "lomi = { path = \"../lomi\" }\ntokio = { version = \"1\", features = [\"rt\"] }",
        "fn main() {\n    let config = lomi::apis::configuration::Configuration::new();\n    \
         let call = lomi::apis::checkout_sessions_api::retrieve_checkout_session(&config, \"cs_1\");\n    \
         let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();\n    \
         let _ = rt.block_on(call);\n}\n",
    )?;
    Ok([
        Side {
            name: "lomi-client",
            package: "lomi-client",
            client_src: ours.join("lomi-client/src"),
            target: ours.join("target"),
            workspace: ours,
        },
        Side {
            name: "OpenAPI Generator rust",
            package: "lomi",
            client_src: theirs.join("lomi/src"),
            target: theirs.join("target"),
            workspace: theirs,
        },
    ])
}

/// How many times the "crate alone" builds are repeated, each side in turn.
const ROUNDS: usize = 5;

/// The middle value of `times`.
fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// Runs the comparison and returns the table.
pub fn run(root: &Path, generator: &str) -> Result<String, String> {
    // Long: a scripted benchmark, one step after another (scratch crates, cold builds, the table).
    let scratch = root.join("target/bench-build");
    let sides = setup(root, &scratch, generator)?;
    // Fetch both dependency trees first, so that no download is timed.
    for side in &sides {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["fetch", "--quiet"])
            .current_dir(&side.workspace)
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!(
                "`cargo fetch` failed in {}",
                side.workspace.display()
            ));
        }
    }
    let mut cold = Vec::new();
    for side in &sides {
        let _ = fs::remove_dir_all(&side.target);
        cold.push(build(&side.workspace, &side.target, "shop", true)?);
    }
    // The client crate alone: touched, rebuilt, and the shop's binary relinked. Small
    // times on a shared machine are noisy, so the two sides take turns, ROUNDS times,
    // and the table gives the medians.
    for side in &sides {
        build(&side.workspace, &side.target, "shop", false)?;
    }
    let mut lib = [Vec::new(), Vec::new()];
    let mut relink = [Vec::new(), Vec::new()];
    let mut ratios = Vec::new();
    for _ in 0..ROUNDS {
        let mut round = [Duration::ZERO; 2];
        for (i, side) in sides.iter().enumerate() {
            touch(&side.client_src)?;
            let crate_time = build(&side.workspace, &side.target, side.package, false)?;
            let link_time = build(&side.workspace, &side.target, "shop", false)?;
            lib[i].push(crate_time);
            relink[i].push(link_time);
            round[i] = crate_time + link_time;
        }
        ratios.push(round[0].as_secs_f64() / round[1].as_secs_f64());
    }
    let alone: Vec<Vec<Duration>> = (0..2)
        .map(|i| {
            lib[i]
                .iter()
                .zip(&relink[i])
                .map(|(a, b)| *a + *b)
                .collect()
        })
        .collect();
    let mut out = format!(
        "| build (debug, 2 jobs) | {} | {} | ratio |\n|---|---|---|---|\n",
        sides[0].name, sides[1].name
    );
    let _ = writeln!(
        out,
        "| cold: a shop's crate and every dependency | {:.1?} | {:.1?} | {:.2} |",
        cold[0],
        cold[1],
        cold[0].as_secs_f64() / cold[1].as_secs_f64()
    );
    for (what, times) in [
        (
            "the client crate alone, and the shop relinked (CARGO_INCREMENTAL=0)",
            [&alone[0], &alone[1]],
        ),
        ("  of which: the client crate", [&lib[0], &lib[1]]),
        (
            "  of which: the shop's crate and link",
            [&relink[0], &relink[1]],
        ),
    ] {
        let (ours, theirs) = (median(times[0]), median(times[1]));
        let _ = writeln!(
            out,
            "| {what} (median of {ROUNDS}) | {ours:.2?} | {theirs:.2?} | {:.2} |",
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    }
    ratios.sort_by(f64::total_cmp);
    let _ = writeln!(
        out,
        "\nratio of the client crate alone, round by round: {}",
        ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out.push('\n');
    out.push_str(&current_api(root, &scratch, generator)?);
    Ok(out)
}

/// lomi.'s current API: a shop's crate using `lomi-sdk` with its default features and
/// with `full`, against one using OpenAPI Generator's rust client for the whole
/// document, each built cold into a target folder of its own.
fn current_api(root: &Path, scratch: &Path, generator: &str) -> Result<String, String> {
    // Long: a scripted benchmark, one step after another (scratch crates, cold builds, the table).
    let io = |e: std::io::Error| e.to_string();
    let ours = scratch.join("current-ours");
    copy_dir(&root.join("lomi-sdk"), &ours.join("lomi-sdk"), &["tests"])
        .map_err(|e| format!("cannot copy lomi-sdk: {e}"))?;
    fs::write(
        ours.join("Cargo.toml"),
        scratch_manifest(
            root,
            &["lomi-sdk".into(), "shop".into(), "shop-full".into()],
        ),
    )
    .map_err(io)?;
    fs::copy(root.join("Cargo.lock"), ours.join("Cargo.lock")).map_err(io)?;
    let call = "fn main() {\n    let client = lomi_sdk::Client::builder(\"lomi_sk_test\").build().unwrap();\n    \
                let call = client.retrieve_checkout_session().id(\"cs_1\").send();\n    \
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();\n    \
                let _ = rt.block_on(call);\n}\n";
    let tokio = "tokio = { version = \"1\", features = [\"rt\"] }";
    user_crate(
        &ours.join("shop"),
        &format!("lomi-sdk = {{ path = \"../lomi-sdk\" }}\n{tokio}"),
        call,
    )?;
    user_crate(
        &ours.join("shop-full"),
        &format!("lomi-sdk = {{ path = \"../lomi-sdk\", features = [\"full\"] }}\n{tokio}"),
        call,
    )?;
    // `shop-full` is a package of its own name.
    let manifest = ours.join("shop-full/Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(io)?;
    fs::write(
        &manifest,
        text.replace("name = \"shop\"", "name = \"shop-full\""),
    )
    .map_err(io)?;

    let theirs = scratch.join("current-theirs");
    // The whole document, as lomi-sdk is made from it (apis/current/lomi.yaml): lomi.'s
    // as published leaves six `{param}`s undeclared, which OpenAPI Generator refuses and,
    // told to skip its check, generates a client that does not compile.
    let status = Command::new(generator)
        .args(["generate", "-g", "rust", "--package-name", "lomi", "-i"])
        .arg(root.join("apis/current/lomi.yaml"))
        .arg("-o")
        .arg(theirs.join("lomi"))
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run `{generator}`: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`{generator} generate -g rust` failed on lomi.'s current document ({status})"
        ));
    }
    fs::write(
        theirs.join("Cargo.toml"),
        "[workspace]\nmembers = [\"lomi\", \"shop\"]\nresolver = \"3\"\n",
    )
    .map_err(io)?;
    user_crate(
        &theirs.join("shop"),
        &format!("lomi = {{ path = \"../lomi\" }}\n{tokio}"),
        "fn main() {\n    let _config = lomi::apis::configuration::Configuration::new();\n}\n",
    )?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for dir in [&ours, &theirs] {
        let status = Command::new(&cargo)
            .args(["fetch", "--quiet"])
            .current_dir(dir)
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("`cargo fetch` failed in {}", dir.display()));
        }
    }
    let cold = |dir: &Path, package: &str, target: &str| {
        let target = dir.join(target);
        let _ = fs::remove_dir_all(&target);
        build(dir, &target, package, true)
    };
    let default = cold(&ours, "shop", "target-default")?;
    let full = cold(&ours, "shop-full", "target-full")?;
    let oag = cold(&theirs, "shop", "target")?;
    let ratio = |t: Duration| t.as_secs_f64() / oag.as_secs_f64();
    Ok(format!(
        "| lomi.'s current API, cold build of a shop's crate (debug, 2 jobs) | time | ratio to OpenAPI Generator rust |\n\
         |---|---|---|\n\
         | lomi-sdk, default features (checkout sessions, webhooks) | {default:.1?} | {:.2} |\n\
         | lomi-sdk, `full` (all 70 operations) | {full:.1?} | {:.2} |\n\
         | OpenAPI Generator rust, the whole document | {oag:.1?} | 1.00 |\n",
        ratio(default),
        ratio(full)
    ))
}
