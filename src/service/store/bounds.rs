//! The time bounds every filter shares: `createdAfter`, `createdBefore`,
//! `updatedAfter`, each exclusive.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sea_orm::{ColumnTrait, Condition};

use crate::service::store::resource::Resource;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct TimeBounds {
    pub(crate) created_after: Option<DateTime<Utc>>,
    pub(crate) created_before: Option<DateTime<Utc>>,
    pub(crate) updated_after: Option<DateTime<Utc>>,
}

impl TimeBounds {
    pub(crate) fn new(
        created_after: Option<DateTime<Utc>>,
        created_before: Option<DateTime<Utc>>,
        updated_after: Option<DateTime<Utc>>,
    ) -> Self {
        // Both backends store microseconds. A finer bound is rounded away
        // from the rows it admits (down for "after", up for "before"), which
        // keeps exactly the stored rows the exact bound would keep, on
        // PostgreSQL (which would truncate it) as on SQLite (which compares
        // the text).
        Self {
            created_after: created_after.map(floor_micros),
            created_before: created_before.map(ceil_micros),
            updated_after: updated_after.map(floor_micros),
        }
    }

    pub(crate) fn condition<E: Resource>(&self) -> Condition {
        Condition::all()
            .add_option(self.created_after.map(|at| E::created_at_column().gt(at)))
            .add_option(self.created_before.map(|at| E::created_at_column().lt(at)))
            .add_option(self.updated_after.map(|at| E::updated_at_column().gt(at)))
    }
}

const MICROSECOND: TimeDelta = TimeDelta::microseconds(1);

fn floor_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(MICROSECOND).unwrap_or(at)
}

fn ceil_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    let floor = floor_micros(at);
    if floor == at { at } else { floor + MICROSECOND }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_finer_than_storage_round_away_from_the_rows_they_admit() {
        let at: DateTime<Utc> = "2026-12-01T10:00:00.123456789Z".parse().expect("time");
        let bounds = TimeBounds::new(Some(at), Some(at), None);
        assert_eq!(
            bounds.created_after.map(|t| t.to_rfc3339()),
            Some("2026-12-01T10:00:00.123456+00:00".into())
        );
        assert_eq!(
            bounds.created_before.map(|t| t.to_rfc3339()),
            Some("2026-12-01T10:00:00.123457+00:00".into())
        );
        let exact: DateTime<Utc> = "2026-12-01T10:00:00.5Z".parse().expect("time");
        assert_eq!(
            TimeBounds::new(None, Some(exact), None).created_before,
            Some(exact)
        );
    }
}
