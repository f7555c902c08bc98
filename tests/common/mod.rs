//! What the end-to-end tests share.

pub mod tlc;

use std::process::Command;

/// Runs `worm` with `args`: its exit code, standard output and standard error.
pub fn worm(args: &[&str]) -> (i32, String, String) {
    worm_with_env(args, &[])
}

/// Runs `worm` with `args` and the environment variables `env` set.
pub fn worm_with_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_worm"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("worm runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
