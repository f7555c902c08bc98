//! What the end-to-end tests share.

use std::process::Command;

/// Runs `worm` with `args`: its exit code, standard output and standard error.
pub fn worm(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_worm"))
        .args(args)
        .output()
        .expect("worm runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
