//! A value read from a file and read again when the file changes, so keys
//! rotate without a restart.
//!
//! Requests read the current value through an [`ArcSwap`] (a few atomic
//! operations, no lock, no system call); one background task per file
//! compares the file's modification time, length and inode with what it
//! last read, about once a second, and parses it again only when they
//! differ (a file modified in the last two seconds is also compared by
//! contents, since a second write within the timestamp's granularity may
//! keep all three). A file that cannot be read or parsed keeps the value in
//! force and is logged once per change, never once per poll.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use sha2::{Digest, Sha256};
use tokio::sync::watch;

/// How often a watched file's metadata is compared with what was read.
pub const POLL_EVERY: Duration = Duration::from_secs(1);

type Parse<T> = Box<dyn Fn(&[u8]) -> Result<T, String> + Send + Sync>;

/// The current value of a file, kept current.
pub struct Watched<T> {
    current: ArcSwap<T>,
    /// What the file holds, for logs ("API keys", "JWKS").
    what: &'static str,
    source: Option<Source<T>>,
}

struct Source<T> {
    path: PathBuf,
    parse: Parse<T>,
    seen: std::sync::Mutex<Seen>,
}

/// The last version of the file read, whether it parsed or not.
#[derive(Default)]
struct Seen {
    stamp: Option<Stamp>,
    /// `None` after a failed read, so the file's return is read.
    digest: Option<[u8; 32]>,
}

/// What changes when a file is rewritten or replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl Stamp {
    /// A file modified this recently may be written again within the
    /// timestamp's granularity with the same length: it is read again
    /// (and compared by contents) until its time is settled.
    fn is_racy(self) -> bool {
        self.modified.is_none_or(|modified| {
            SystemTime::now()
                .duration_since(modified)
                .map_or(true, |age| age < Duration::from_secs(2))
        })
    }

    fn of(path: &Path) -> std::io::Result<Self> {
        let metadata = std::fs::metadata(path)?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
        #[cfg(not(unix))]
        let inode = 0;
        Ok(Self {
            modified: metadata.modified().ok(),
            len: metadata.len(),
            inode,
        })
    }
}

/// What one poll found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    /// The file is as it was last read.
    Unchanged,
    /// The file changed and its new contents are in force.
    Replaced,
    /// The file changed but could not be read or parsed: the value in force stays.
    Kept(String),
}

impl<T: Send + Sync + 'static> Watched<T> {
    /// A value that never changes (given on the command line or in the environment).
    pub fn fixed(what: &'static str, value: T) -> Self {
        Self {
            current: ArcSwap::from_pointee(value),
            what,
            source: None,
        }
    }

    /// Reads and parses `path` now; a failure here is the caller's to report
    /// (the server does not start on a file it cannot use).
    pub fn load(
        what: &'static str,
        path: &Path,
        parse: impl Fn(&[u8]) -> Result<T, String> + Send + Sync + 'static,
    ) -> anyhow::Result<Self> {
        let stamp = Stamp::of(path)
            .map_err(|e| anyhow::anyhow!("cannot read the {what} file {}: {e}", path.display()))?;
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read the {what} file {}: {e}", path.display()))?;
        let value = parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let digest = Sha256::digest(&bytes).into();
        Ok(Self {
            current: ArcSwap::from_pointee(value),
            what,
            source: Some(Source {
                path: path.to_owned(),
                parse: Box::new(parse),
                seen: std::sync::Mutex::new(Seen {
                    stamp: Some(stamp),
                    digest: Some(digest),
                }),
            }),
        })
    }

    /// The value in force.
    pub fn current(&self) -> arc_swap::Guard<Arc<T>> {
        self.current.load()
    }

    /// Whether a file backs this value (and so may change).
    pub fn is_watched(&self) -> bool {
        self.source.is_some()
    }

    /// Reads the file again if it changed since it was last read.
    pub fn reload_if_changed(&self) -> Reload {
        let Some(source) = &self.source else {
            return Reload::Unchanged;
        };
        let stamp = Stamp::of(&source.path).ok();
        let mut seen = match source.seen.lock() {
            Ok(seen) => seen,
            Err(poisoned) => poisoned.into_inner(),
        };
        if stamp.is_some() && stamp == seen.stamp && !stamp.is_some_and(Stamp::is_racy) {
            return Reload::Unchanged;
        }
        let read = match stamp {
            Some(_) => std::fs::read(&source.path).map_err(|e| e.to_string()),
            None => Err("the file is missing or its metadata cannot be read".to_owned()),
        };
        seen.stamp = stamp;
        let outcome = match read {
            Ok(bytes) => {
                let digest: [u8; 32] = Sha256::digest(&bytes).into();
                if seen.digest == Some(digest) {
                    // Touched, or read again while its time was too recent
                    // to tell a later write from it: the same contents.
                    return Reload::Unchanged;
                }
                seen.digest = Some(digest);
                match (source.parse)(&bytes) {
                    Ok(value) => {
                        self.current.store(Arc::new(value));
                        Reload::Replaced
                    }
                    Err(err) => Reload::Kept(err),
                }
            }
            // Reported once, not every second, until the file is back.
            Err(_) if seen.digest.is_none() => return Reload::Unchanged,
            Err(err) => {
                seen.digest = None;
                Reload::Kept(err)
            }
        };
        match &outcome {
            Reload::Replaced => tracing::info!(
                file = %source.path.display(),
                "{} file changed: the new contents are in force",
                self.what
            ),
            Reload::Kept(err) => tracing::error!(
                file = %source.path.display(),
                error = %err,
                "{} file changed but cannot be used: the previous contents stay in force",
                self.what
            ),
            Reload::Unchanged => {}
        }
        outcome
    }

    /// Polls the file every `every` until `stop` turns true.
    pub fn spawn(self: &Arc<Self>, every: Duration, mut stop: watch::Receiver<bool>) {
        if self.source.is_none() {
            return;
        }
        let watched = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            loop {
                let stopped = tokio::select! {
                    _ = ticks.tick() => false,
                    _ = stop.wait_for(|stopped| *stopped) => true,
                };
                if stopped {
                    return;
                }
                // Reading a file blocks; a keys file is small, but the
                // runtime's workers are not the place for it.
                let polled = Arc::clone(&watched);
                let _ = tokio::task::spawn_blocking(move || polled.reload_if_changed()).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_number(bytes: &[u8]) -> Result<u32, String> {
        std::str::from_utf8(bytes)
            .map_err(|e| e.to_string())?
            .trim()
            .parse()
            .map_err(|e: std::num::ParseIntError| e.to_string())
    }

    fn temp_file(contents: &str) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("agentgraph-watched-{}", uuid::Uuid::now_v7()));
        std::fs::write(&path, contents).expect("write");
        path
    }

    #[test]
    fn a_changed_file_replaces_the_value_and_a_broken_one_keeps_it() {
        let path = temp_file("1");
        let watched = Watched::load("number", &path, parse_number).expect("load");
        assert_eq!(**watched.current(), 1);
        assert_eq!(watched.reload_if_changed(), Reload::Unchanged);

        std::fs::write(&path, "22").expect("write");
        assert_eq!(watched.reload_if_changed(), Reload::Replaced);
        assert_eq!(**watched.current(), 22);

        std::fs::write(&path, "not a number").expect("write");
        assert!(matches!(watched.reload_if_changed(), Reload::Kept(_)));
        assert_eq!(**watched.current(), 22);
        // The same broken file is not parsed (nor logged) again.
        assert_eq!(watched.reload_if_changed(), Reload::Unchanged);

        // Replaced by a rename, as editors and `kubectl` do.
        let next = temp_file("333");
        std::fs::rename(&next, &path).expect("rename");
        assert_eq!(watched.reload_if_changed(), Reload::Replaced);
        assert_eq!(**watched.current(), 333);

        std::fs::remove_file(&path).expect("remove");
        assert!(matches!(watched.reload_if_changed(), Reload::Kept(_)));
        assert_eq!(watched.reload_if_changed(), Reload::Unchanged);
        assert_eq!(**watched.current(), 333);
        std::fs::write(&path, "4").expect("write");
        assert_eq!(watched.reload_if_changed(), Reload::Replaced);
        assert_eq!(**watched.current(), 4);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_file_that_cannot_be_used_at_start_is_an_error_and_a_fixed_value_never_changes() {
        let path = temp_file("x");
        let err = Watched::load("number", &path, parse_number).err();
        assert!(err.is_some_and(|e| e.to_string().contains(&*path.to_string_lossy())));
        let _ = std::fs::remove_file(&path);
        assert!(Watched::load("number", &path, parse_number).is_err());
        let fixed = Watched::fixed("number", 7u32);
        assert!(!fixed.is_watched());
        assert_eq!(fixed.reload_if_changed(), Reload::Unchanged);
        assert_eq!(**fixed.current(), 7);
    }
}
