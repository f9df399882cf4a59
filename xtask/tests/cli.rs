//! `cargo xtask` as a maintainer types it: help and refusals come from one declaration.

use std::process::Command;

fn xtask(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_lists_every_command() {
    let (code, out, _) = xtask(&["--help"]);
    assert_eq!(code, 0);
    for command in [
        "generate",
        "diff-spec",
        "check-python-doc",
        "bench-codegen",
        "bench-build",
        "semver",
    ] {
        assert!(out.contains(command), "{command} missing from:\n{out}");
    }
}

#[test]
fn unknown_commands_options_and_values_are_refused_naming_them() {
    for (args, named) in [
        (&["frobnicate"][..], "frobnicate"),
        (&["generate", "--chek"][..], "--chek"),
        (&["generate", "extra"][..], "extra"),
        (&["diff-spec", "--format", "yaml"][..], "yaml"),
        (&["diff-spec", "a", "b", "c"][..], "c"),
        (&["bench-build", "--root"][..], "--root"),
    ] {
        let (code, _, err) = xtask(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(named), "{args:?} does not name {named}: {err}");
    }
    // A near miss gets a suggestion.
    let (_, _, err) = xtask(&["generate", "--chek"]);
    assert!(err.contains("--check"), "{err}");
}
