//! The pause of a user between two operations, and its `--think-time` syntax.

use std::time::Duration;

use rand::RngExt;
use rand::rngs::StdRng;

/// The pause of a user between two operations: uniform in `min..=max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThinkTime {
    pub min: Duration,
    pub max: Duration,
}

impl ThinkTime {
    pub const NONE: Self = Self {
        min: Duration::ZERO,
        max: Duration::ZERO,
    };

    /// `0`, a duration (`2s`), or a range (`1-3s`, `500ms-2s`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let parse = |part: &str| -> Result<Duration, String> {
            let part = part.trim();
            if part.chars().all(|c| c.is_ascii_digit()) && part.parse::<u64>() == Ok(0) {
                return Ok(Duration::ZERO);
            }
            humantime::parse_duration(part).map_err(|err| format!("`{part}`: {err}"))
        };
        let (min, max) = match text.split_once('-') {
            None => {
                let fixed = parse(text)?;
                (fixed, fixed)
            }
            Some((low, high)) => {
                let high = high.trim();
                let max = parse(high)?;
                // `1-3s`: the low end borrows the unit of the high end.
                let low = low.trim();
                let min = if low.chars().all(|c| c.is_ascii_digit() || c == '.') {
                    let unit = high.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
                    parse(&format!("{low}{unit}"))?
                } else {
                    parse(low)?
                };
                (min, max)
            }
        };
        if min > max {
            return Err(format!("the think time range `{text}` runs backwards"));
        }
        Ok(Self { min, max })
    }

    pub(super) fn pick(self, rng: &mut StdRng) -> Duration {
        if self.max.is_zero() {
            Duration::ZERO
        } else {
            rng.random_range(self.min..=self.max)
        }
    }
}

impl std::fmt::Display for ThinkTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.max.is_zero() {
            write!(f, "none")
        } else if self.min == self.max {
            write!(f, "{}", humantime::format_duration(self.min))
        } else {
            write!(
                f,
                "{}-{}",
                humantime::format_duration(self.min),
                humantime::format_duration(self.max)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn think_times_parse() {
        let secs = Duration::from_secs;
        assert_eq!(ThinkTime::parse("0"), Ok(ThinkTime::NONE));
        assert_eq!(
            ThinkTime::parse("1-3s"),
            Ok(ThinkTime {
                min: secs(1),
                max: secs(3)
            })
        );
        assert_eq!(
            ThinkTime::parse("500ms-2s"),
            Ok(ThinkTime {
                min: Duration::from_millis(500),
                max: secs(2)
            })
        );
        assert_eq!(
            ThinkTime::parse("2s"),
            Ok(ThinkTime {
                min: secs(2),
                max: secs(2)
            })
        );
        assert!(ThinkTime::parse("3-1s").is_err());
        assert!(ThinkTime::parse("soon").is_err());
    }
}
