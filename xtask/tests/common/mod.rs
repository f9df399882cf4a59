//! What the xtask's integration tests share.

use std::fs;
use std::path::PathBuf;

use xtask::{GENERATED_DIR, workspace_root};

/// A scratch copy of the parts of the workspace that generation reads and writes
/// (`spec/` and the generated client), removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh copy, named after the test that uses it.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("lomi-xtask-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let root = workspace_root();
        xtask::copy_dir(&root.join("spec"), &dir.join("spec"), &[]).unwrap();
        xtask::copy_dir(&root.join(GENERATED_DIR), &dir.join(GENERATED_DIR), &[]).unwrap();
        Scratch(dir)
    }

    /// A file of the copy, by its path in the workspace.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}
