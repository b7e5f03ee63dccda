//! Tests of process-wide state (the metrics recorder, the tracer) run in a
//! process of their own: `cargo test` runs a binary's tests as threads of
//! one process, where another test's requests move the same counters and
//! the first traced server's exporter is everyone's. nextest gives each
//! test a process anyway; this makes `cargo test` (the README's command)
//! agree.

/// Runs the ignored test `test` (its path in this binary, e.g.
/// `tracing::name`) alone in a new process of this test binary, and fails
/// when it fails.
pub fn run_alone(test: &str) {
    let binary = std::env::current_exe().expect("the test binary");
    let status = std::process::Command::new(binary)
        .args([test, "--exact", "--ignored", "--test-threads=1"])
        .status()
        .expect("start the test binary");
    assert!(
        status.success(),
        "{test}, run in a process of its own, failed"
    );
}
