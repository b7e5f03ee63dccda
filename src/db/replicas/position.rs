//! Positions in the primary's write-ahead log, and the token that carries
//! one to a client and back.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ConnectionTrait, DbErr, Statement};

use crate::db::Connections;

/// A WAL position (PostgreSQL's `pg_lsn`): everything committed before it
/// is visible on a replica that has replayed up to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position(pub u64);

impl Position {
    /// PostgreSQL's text form, `16/B374D848`: two hexadecimal halves.
    pub fn parse(text: &str) -> Option<Self> {
        let (high, low) = text.trim().split_once('/')?;
        let high = u32::from_str_radix(high, 16).ok()?;
        let low = u32::from_str_radix(low, 16).ok()?;
        Some(Self((u64::from(high) << 32) | u64::from(low)))
    }
}

/// What a request's `X-Consistency-Token` asks of the data it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// No token: a replica within the lag bound will do.
    Any,
    /// Data at least as fresh as this position of the primary's.
    AtLeast(Position),
    /// A token that is not a position: only the primary is sure to honour it.
    Unreadable,
}

impl Freshness {
    pub fn of_token(token: Option<&str>) -> Self {
        match token.map(Position::parse) {
            None => Self::Any,
            Some(Some(position)) => Self::AtLeast(position),
            Some(None) => Self::Unreadable,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// Reads one `pg_lsn` column named `lsn` as text, `None` when it is NULL
/// (a server not in recovery has no replay position).
pub(super) async fn read(reads: &Connections, sql: &str) -> Result<Option<Position>, DbErr> {
    let row = reads
        .query_one_raw(Statement::from_string(reads.get_database_backend(), sql))
        .await?;
    let text: Option<String> = match row {
        Some(row) => row.try_get("", "lsn")?,
        None => None,
    };
    match text {
        None => Ok(None),
        Some(text) => Position::parse(&text)
            .map(Some)
            .ok_or_else(|| DbErr::Custom(format!("not a WAL position: {text}"))),
    }
}

/// How far the primary's WAL is flushed: past the commit of every write
/// that has returned, a commit waiting for its flush (the default,
/// `synchronous_commit = on`), and the most a replica can have received.
/// Not the insert position: at the start of a WAL page that points past
/// the page's header, which a replica's replay position never counts, and
/// an idle primary would seem forever ahead of its replicas.
const FLUSHED: &str = "SELECT pg_current_wal_flush_lsn()::text AS lsn";

/// The primary's position after writes, one statement for all the writes
/// that ask at once: a reading started after a write committed covers it,
/// so each writer takes a number as it asks, and a reading covers every
/// number taken before it started.
pub(super) struct AfterWrites {
    asked: AtomicU64,
    covered: AtomicU64,
    last: AtomicU64,
    reading: tokio::sync::Mutex<()>,
}

impl AfterWrites {
    pub(super) fn new() -> Self {
        Self {
            asked: AtomicU64::new(0),
            covered: AtomicU64::new(0),
            last: AtomicU64::new(0),
            reading: tokio::sync::Mutex::new(()),
        }
    }

    /// A position at or past every write the caller has committed.
    pub(super) async fn position(&self, primary: &Connections) -> Result<Position, DbErr> {
        let ticket = self.asked.fetch_add(1, Ordering::AcqRel) + 1;
        let _turn = self.reading.lock().await;
        if self.covered.load(Ordering::Acquire) >= ticket {
            return Ok(Position(self.last.load(Ordering::Acquire)));
        }
        // Every number taken so far was taken after its write committed.
        let covers = self.asked.load(Ordering::Acquire);
        let position = read(primary, FLUSHED)
            .await?
            .ok_or_else(|| DbErr::Custom("the primary has no WAL position".to_owned()))?;
        self.last.fetch_max(position.0, Ordering::AcqRel);
        self.covered.store(covers, Ordering::Release);
        Ok(Position(self.last.load(Ordering::Acquire)))
    }
}

/// The primary's position now (for measuring replicas' lag).
pub(super) async fn primary_now(primary: &Connections) -> Result<Position, DbErr> {
    read(primary, FLUSHED)
        .await?
        .ok_or_else(|| DbErr::Custom("the primary has no WAL position".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::Position;

    #[test]
    fn a_position_reads_and_writes_postgres_text() {
        let position = Position::parse("16/B374D848").expect("parses");
        assert_eq!(position.0, (0x16 << 32) | 0xB374_D848);
        assert_eq!(position.to_string(), "16/B374D848");
        assert_eq!(Position::parse("0/0"), Some(Position(0)));
        assert!(Position::parse("0/1") > Position::parse("0/0"));
        assert!(Position::parse("1/0") > Position::parse("0/FFFFFFFF"));
        for bad in ["", "16", "x/1", "1/", "/1", "1/2/3", "100000000/0"] {
            assert_eq!(Position::parse(bad), None, "{bad}");
        }
    }
}
