//! `lomi-sdk` as a shop adds it to its own crate: `tests/shop-current/shop.rs`, and the
//! README's examples as a suite (`tests/shop-current/readme.rs`), built and run outside
//! this workspace, with lomi-sdk's default features and `customers` only.
//! Inside the workspace cargo unifies lomi-sdk's features across members (the operation
//! walk turns on `full`), so only a crate of its own shows that the default build serves
//! the shop's loop.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shop's manifest: lomi-sdk and lomi-mock by path, the rest at the versions the
/// workspace's lock pins (the lock is copied beside it).
fn manifest(root: &Path) -> String {
    let path = |krate: &str| root.join(krate).display().to_string();
    format!(
        r#"[package]
name = "shop-current"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
# As a shop writes it: the default features (checkout sessions, webhooks, rustls) and
# the one other resource it uses.
lomi-sdk = {{ path = {sdk:?}, features = ["customers"] }}

[dev-dependencies]
lomi-mock = {{ path = {mock:?} }}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "net"] }}
axum = {{ version = "0.8", default-features = false, features = ["http1", "tokio"] }}
reqwest = {{ version = "0.13", default-features = false }}
futures-util = {{ version = "0.3", default-features = false, features = ["std"] }}

[[test]]
name = "shop"
path = {test:?}

[[test]]
name = "readme"
path = {readme:?}

[workspace]
"#,
        sdk = path("lomi-sdk"),
        mock = path("lomi-mock"),
        test = path("tests/shop-current/shop.rs"),
        readme = path("tests/shop-current/readme.rs"),
    )
}

fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Beside the shell loop's build of the same crates, not in the workspace's target
    // directory, which this test's own `cargo test` holds.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("shell-loop");
    Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("cargo runs")
}

#[test]
fn a_shop_crate_with_the_default_features_pays_against_the_mock() {
    let root = root();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shop-current");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), manifest(&root)).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "//! The shop.\n").unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    // Only what the shop asked for is compiled into lomi-sdk.
    let tree = cargo(
        &dir,
        &[
            "tree", "-e", "features", "-i", "lomi-sdk", "--prefix", "none",
        ],
    );
    let tree = String::from_utf8_lossy(&tree.stdout).into_owned();
    for wanted in ["default", "checkout-sessions", "webhooks", "customers"] {
        assert!(
            tree.contains(&format!("lomi-sdk feature \"{wanted}\"")),
            "{wanted}: {tree}"
        );
    }
    for unwanted in ["full", "refunds", "payouts"] {
        assert!(
            !tree.contains(&format!("lomi-sdk feature \"{unwanted}\"")),
            "{unwanted}: {tree}"
        );
    }

    let run = cargo(&dir, &["test", "--test", "shop", "--test", "readme"]);
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "{output}");
    assert!(
        output.contains("a_shop_pays_a_session_against_the_mock_of_the_current_api ... ok"),
        "{output}"
    );
    // The README's suite: retries keep the idempotency key, every delivery awaited, a
    // redelivery changes nothing, a failed payment arrives typed.
    for test in [
        "an_order_is_paid_once_whatever_is_retried_or_redelivered",
        "a_failed_payment_leaves_the_order_unpaid",
    ] {
        assert!(
            output.contains(&format!("{test} ... ok")),
            "{test}: {output}"
        );
    }
}

/// The README's marker before each block of the shop's suite.
const SUITE_MARKER: &str = "<!-- the shop's suite: tests/shop-current/readme.rs -->";

/// What `tests/shop-current/readme.rs` holds: its header, then the README's blocks after
/// [`SUITE_MARKER`], in order, each as written.
fn suite_from_readme(readme: &str) -> Result<String, String> {
    let mut suite = String::from(
        "//! A shop's offline suite written only from the README's examples: the blocks after its\n\
         //! \"shop's suite\" markers, in order, as a shop pastes them into its crate. Built and run\n\
         //! by `tests/tests/shop_crate.rs` as the shop's own crate, which also checks that this\n\
         //! file is those blocks, byte for byte (`LOMI_BLESS=1` rewrites it after a README edit).\n",
    );
    let mut blocks = 0;
    for (n, part) in readme.split(SUITE_MARKER).enumerate().skip(1) {
        let part = part.trim_start_matches('\n');
        let fence = part.lines().next().unwrap_or_default();
        if !fence.starts_with("```rust") {
            return Err(format!(
                "marker {n} of the README is not followed by a Rust block"
            ));
        }
        let code = &part[fence.len() + 1..];
        let end = code
            .find("\n```")
            .ok_or_else(|| format!("the README's block after marker {n} is not closed"))?;
        suite.push('\n');
        suite.push_str(&code[..=end]);
        blocks += 1;
    }
    if blocks == 0 {
        return Err(format!("the README has no {SUITE_MARKER}"));
    }
    Ok(suite)
}

/// The suite the shop crate runs is the README's examples, byte for byte: a README edit
/// that breaks the shop's code breaks this test, and the suite cannot drift from what a
/// reader copies.
#[test]
fn the_readme_suite_is_the_readme_s_examples_as_written() {
    let root = root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let expected = suite_from_readme(&readme).unwrap();
    let path = root.join("tests/shop-current/readme.rs");
    if std::env::var_os("LOMI_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap();
    assert!(
        actual == expected,
        "tests/shop-current/readme.rs is not the README's suite blocks; after editing \
         the README, run `LOMI_BLESS=1 cargo test -p tests --test shop_crate the_readme_suite`"
    );
}
