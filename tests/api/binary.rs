//! The real binary, started as an operator starts it, its JSON log read
//! line by line from stderr.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use serde_json::Value;

pub struct Served {
    pub child: Child,
    /// `http://127.0.0.1:PORT`, as it logged it.
    pub address: String,
    lines: Receiver<String>,
    /// Every line read so far.
    pub seen: Vec<String>,
}

/// Starts `agentgraph serve` on `database_url` with `args` (JSON logs at
/// info) and waits for it to say where it listens.
pub fn serve(database_url: &str, args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentgraph"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start agentgraph");
    let stderr = child.stderr.take().expect("stderr");
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut served = Served {
        child,
        address: String::new(),
        lines,
        seen: Vec::new(),
    };
    served.address = served.wait_for(|message| {
        message
            .strip_prefix("agentgraph listening on ")
            .map(|rest| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
    });
    served
}

impl Served {
    /// Reads log lines until `found` picks something out of one's message.
    pub fn wait_for<T>(&mut self, found: impl Fn(&str) -> Option<T>) -> T {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| {
                    panic!("not logged; the log so far:\n{}", self.seen.join("\n"))
                });
            self.seen.push(line.clone());
            let Ok(parsed) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if let Some(value) = found(parsed["fields"]["message"].as_str().unwrap_or_default()) {
                return value;
            }
        }
    }

    /// Reads the rest of the log: once the process has exited, its stderr
    /// ends and the reader thread closes the channel after the last line.
    pub fn read_to_end(&mut self) {
        self.seen.extend(self.lines.iter());
    }
}

/// A test that fails midway must not leave its server running.
impl Drop for Served {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
