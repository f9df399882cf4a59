//! What the xtask's integration tests share.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::{GENERATED_DIR, OVERLAY_PATH, UPSTREAM_PATH, workspace_root};

/// A scratch copy of the parts of the workspace that generation reads and writes
/// (`spec/` and the generated client), removed when dropped. It is a git repository
/// with one commit, as a maintainer's checkout is: `generate` compares with the spec
/// committed at `HEAD`, the published client.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh copy, named after the test that uses it.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("lomi-xtask-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let root = workspace_root();
        xtask::copy_dir(&root.join("spec"), &dir.join("spec"), &[]).unwrap();
        xtask::copy_dir(&root.join(GENERATED_DIR), &dir.join(GENERATED_DIR), &[]).unwrap();
        commit_all(&dir);
        Scratch(dir)
    }

    /// A file of the copy, by its path in the workspace.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

/// Makes `dir` a git repository whose one commit holds everything in it.
pub fn commit_all(dir: &std::path::Path) {
    let git = |args: &[&str]| {
        let output = std::process::Command::new("git")
            .args([
                "-c",
                "user.name=lomi-rs tests",
                "-c",
                "user.email=tests@localhost",
            ])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "published"]);
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A scratch copy of the workspace (every crate, the spec, the cargo settings), a git
/// repository with one commit, with `upstream` as `spec/upstream.yaml` and the overlay
/// changed by `overlay`. Removed when dropped.
#[allow(dead_code)] // not every test file builds a whole workspace
pub fn scratch_workspace(name: &str, upstream: &str, overlay: impl Fn(&str) -> String) -> Scratch {
    let root = workspace_root();
    let dir = std::env::temp_dir().join(format!("lomi-xtask-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    // The README is lomi-client's crate docs, whose examples are its doctests; the
    // maintainers' guide is read by codegen's tests of the code tables.
    for file in ["Cargo.toml", "Cargo.lock", "README.md", "MAINTAINING.md"] {
        fs::copy(root.join(file), dir.join(file)).unwrap();
    }
    let crates = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").is_file() && p.file_name().is_some_and(|n| n != "target"));
    for folder in crates.chain([root.join("spec"), root.join(".cargo")]) {
        let name = folder.file_name().unwrap();
        xtask::copy_dir(&folder, &dir.join(name), &[]).unwrap();
    }
    commit_all(&dir);
    fs::write(dir.join(UPSTREAM_PATH), upstream).unwrap();
    let text = fs::read_to_string(dir.join(OVERLAY_PATH)).unwrap();
    fs::write(dir.join(OVERLAY_PATH), overlay(&text)).unwrap();
    Scratch(dir)
}

/// Runs cargo with `args` in the scratch workspace `dir`; panics with its output if it
/// fails. It builds in `target/shell-loop`, where lomi-cli's shell-loop test builds the
/// same crates in the same profile: the dependencies are built once for both (a CI run's
/// target directories must stay well under 10 GB).
#[allow(dead_code)] // not every test file builds a whole workspace
pub fn cargo_in(dir: &Path, args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            workspace_root().join("target").join("shell-loop"),
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "`cargo {}` failed in the regenerated workspace:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
