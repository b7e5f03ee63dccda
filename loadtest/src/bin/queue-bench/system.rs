//! What the processes cost, read from /proc, and what PostgreSQL says
//! through psql (the load tool has no PostgreSQL client of its own).

use std::collections::HashMap;

use anyhow::{Context as _, bail};

/// Where PostgreSQL's statistics are read: a URL psql connects to (best
/// another database than the one measured) and the measured database.
#[derive(Clone)]
pub(crate) struct PgStats {
    url: String,
    db: String,
}

impl PgStats {
    pub(crate) fn new(url: String, db: String) -> anyhow::Result<Self> {
        // Inlined in statements: psql -c interpolates no variables.
        if !db.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            bail!("a database name of letters, digits and _ only: {db}");
        }
        Ok(Self { url, db })
    }

    async fn query(&self, sql: String) -> anyhow::Result<String> {
        let url = self.url.clone();
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new("psql")
                .args(["-AtX", &url, "-c", &sql])
                .output()
        })
        .await??;
        if !output.status.success() {
            bail!("psql: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// The database's committed and rolled-back transactions so far, as
    /// PostgreSQL has published them.
    pub(crate) async fn transactions(&self) -> anyhow::Result<u64> {
        let db = &self.db;
        Ok(self
            .query(format!(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '{db}'"
            ))
            .await?
            .parse()?)
    }

    /// The CPU ticks so far of each backend connected to the database.
    pub(crate) async fn backends(&self) -> anyhow::Result<HashMap<u32, u64>> {
        let db = &self.db;
        let pids = self
            .query(format!(
                "SELECT pid FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()"
            ))
            .await?;
        Ok(pids
            .lines()
            .filter_map(|pid| pid.parse().ok())
            .filter_map(|pid| Some((pid, cpu_ticks(pid).ok()?)))
            .collect())
    }
}

/// The CPU ticks the backends spent between two [`PgStats::backends`]
/// (one that connected in between counts from zero; one that left is lost).
pub(crate) fn backend_ticks(before: &HashMap<u32, u64>, after: &HashMap<u32, u64>) -> u64 {
    after
        .iter()
        .map(|(pid, ticks)| ticks.saturating_sub(before.get(pid).copied().unwrap_or(0)))
        .sum()
}

pub(crate) fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS")
}

/// A process's CPU time so far (user and system), in clock ticks.
pub(crate) fn cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the command, which may hold spaces, in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("no command in /proc/PID/stat")?
        .1
        .split_whitespace()
        .collect();
    let field = |i: usize| -> anyhow::Result<u64> {
        Ok(fields.get(i).context("a short /proc/PID/stat")?.parse()?)
    };
    // utime and stime, the 14th and 15th fields, 12th and 13th after it.
    Ok(field(11)? + field(12)?)
}

/// Milliseconds of CPU per unit of work, from clock ticks.
pub(crate) fn ms_per(ticks: u64, units: usize) -> anyhow::Result<f64> {
    let output = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()?;
    let hz: u64 = String::from_utf8_lossy(&output.stdout).trim().parse()?;
    let ms = ticks as f64 * 1000.0 / hz as f64 / units.max(1) as f64;
    Ok((ms * 1000.0).round() / 1000.0)
}
