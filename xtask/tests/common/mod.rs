//! What the xtask's integration tests share.

use std::fs;
use std::path::PathBuf;

use xtask::{GENERATED_DIR, workspace_root};

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
