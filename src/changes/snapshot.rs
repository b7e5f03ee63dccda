//! PostgreSQL transaction snapshots (`pg_current_snapshot()`), to tell
//! whether a missing change number may still commit.

/// `xmin:xmax:xip,…` as PostgreSQL prints it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// Transactions in progress when the snapshot was taken.
    pub(crate) in_progress: Vec<u64>,
}

impl Snapshot {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, ':');
        let _xmin: u64 = parts.next()?.parse().ok()?;
        let _xmax: u64 = parts.next()?.parse().ok()?;
        let in_progress = match parts.next()? {
            "" => Vec::new(),
            list => list
                .split(',')
                .map(|x| x.parse().ok())
                .collect::<Option<Vec<u64>>>()?,
        };
        Some(Self { in_progress })
    }

    /// Whether `xid`, seen in progress by an earlier snapshot, still was
    /// when this one was taken (it cannot have started since).
    pub(crate) fn still_running(&self, xid: u64) -> bool {
        self.in_progress.contains(&xid)
    }
}

#[cfg(test)]
mod tests {
    use super::Snapshot;

    #[test]
    fn parses_what_postgres_prints() {
        assert_eq!(
            Snapshot::parse("10:10:"),
            Some(Snapshot {
                in_progress: vec![]
            })
        );
        let s = Snapshot::parse("10:15:10,12").expect("parses");
        assert!(s.still_running(12));
        assert!(!s.still_running(11));
        assert_eq!(Snapshot::parse("x:1:"), None);
    }
}
