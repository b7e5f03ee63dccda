//! Input rules checked at the schema boundary, before any resolver touches
//! the database. Every broken rule is collected, so a client fixing a request
//! learns of all its mistakes at once.

use serde_json::Value as Json;

use crate::error::{AppError, Violation};

pub(crate) const NAME_MAX: usize = 200;
pub(crate) const DESCRIPTION_MAX: usize = 10_000;
pub(crate) const TASK_TYPE_MAX: usize = 100;
pub(crate) const DID_MAX: usize = 400;
pub(crate) const CRITERIA_MAX: usize = 100;
pub(crate) const CHOICES_MAX: usize = 10;
/// The most objects one mutation may create (a goal, its plans and their tasks).
pub(crate) const TREE_MAX: usize = 1000;
pub(crate) const PRIORITY_RANGE: std::ops::RangeInclusive<i32> = 1..=10;

/// `field` under the input path `at` (`plans.1.tasks.3`), or alone when `at`
/// is empty.
pub(crate) fn join(at: &str, field: &str) -> String {
    if at.is_empty() {
        field.to_owned()
    } else {
        format!("{at}.{field}")
    }
}

/// Collects violations under a path prefix such as `input`.
#[derive(Debug, Default)]
pub(crate) struct Violations {
    prefix: &'static str,
    found: Vec<Violation>,
}

impl Violations {
    pub(crate) fn under(prefix: &'static str) -> Self {
        Self {
            prefix,
            found: Vec::new(),
        }
    }

    fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_owned()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        let field = self.path(field);
        self.found.push(Violation {
            field,
            message: message.into(),
        });
    }

    /// A tree of `count` objects created by one mutation.
    pub(crate) fn tree_size(&mut self, field: &str, count: usize) {
        if count > TREE_MAX {
            self.add(
                field,
                format!("this mutation would create {count} objects; one mutation creates at most {TREE_MAX}"),
            );
        }
    }

    /// How many violations have been found so far.
    pub(crate) fn count(&self) -> usize {
        self.found.len()
    }

    /// A list of values to match any of (`statusIn`): 1 to 10 of them.
    pub(crate) fn choices<T>(&mut self, field: &str, value: Option<&[T]>) {
        if let Some(values) = value
            && !(1..=CHOICES_MAX).contains(&values.len())
        {
            self.add(field, format!("must hold 1 to {CHOICES_MAX} values"));
        }
    }

    /// Text that must not be blank and holds at most `max` characters.
    pub(crate) fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.add(field, "must not be empty");
        } else if value.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        }
    }

    pub(crate) fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            self.text(field, value, max);
        }
    }

    /// A JSON value that must be an object.
    pub(crate) fn object(&mut self, field: &str, value: Option<&Json>) {
        if let Some(value) = value
            && !value.is_object()
        {
            self.add(field, "must be a JSON object");
        }
    }

    pub(crate) fn priority(&mut self, field: &str, value: Option<i32>) {
        if let Some(priority) = value
            && !PRIORITY_RANGE.contains(&priority)
        {
            self.add(
                field,
                format!(
                    "must be between {} and {}",
                    PRIORITY_RANGE.start(),
                    PRIORITY_RANGE.end()
                ),
            );
        }
    }

    /// A number that must lie in `range` when given.
    pub(crate) fn within(
        &mut self,
        field: &str,
        value: Option<i32>,
        range: std::ops::RangeInclusive<i32>,
    ) {
        if let Some(value) = value
            && !range.contains(&value)
        {
            self.add(
                field,
                format!("must be between {} and {}", range.start(), range.end()),
            );
        }
    }

    /// A list that may hold at most `max` values, none twice.
    pub(crate) fn distinct<T: PartialEq>(&mut self, field: &str, values: &[T], max: usize) {
        if values.len() > max {
            self.add(field, format!("must hold at most {max} values"));
        }
        for (index, value) in values.iter().enumerate() {
            if values[..index].contains(value) {
                self.add(&format!("{field}.{index}"), "is named twice");
            }
        }
    }

    pub(crate) fn criteria(&mut self, field: &str, value: Option<&[String]>) {
        let Some(criteria) = value else { return };
        if criteria.len() > CRITERIA_MAX {
            self.add(field, format!("must hold at most {CRITERIA_MAX} items"));
        }
        for (index, criterion) in criteria.iter().enumerate() {
            self.text(&format!("{field}.{index}"), criterion, DESCRIPTION_MAX);
        }
    }

    pub(crate) fn finish(self) -> Result<(), AppError> {
        if self.found.is_empty() {
            Ok(())
        } else {
            Err(AppError::BadUserInput(self.found))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_violation_with_its_path() {
        let mut v = Violations::under("input");
        v.text("name", "", NAME_MAX);
        v.priority("priority", Some(11));
        v.object("configuration", Some(&serde_json::json!([1])));
        v.text("description", &"x".repeat(DESCRIPTION_MAX), DESCRIPTION_MAX);
        let Err(AppError::BadUserInput(found)) = v.finish() else {
            panic!("expected violations");
        };
        let fields: Vec<_> = found.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            ["input.name", "input.priority", "input.configuration"]
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let mut v = Violations::under("input");
        v.text("name", &"é".repeat(NAME_MAX), NAME_MAX);
        assert!(v.finish().is_ok());
    }
}
