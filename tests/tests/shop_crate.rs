//! `lomi-sdk` as a shop adds it to its own crate: `tests/shop-current/shop.rs` built and
//! run outside this workspace, with lomi-sdk's default features and `customers` only.
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

[workspace]
"#,
        sdk = path("lomi-sdk"),
        mock = path("lomi-mock"),
        test = path("tests/shop-current/shop.rs"),
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

    let run = cargo(&dir, &["test", "--test", "shop"]);
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
}
