//! The `tenant` label, bounded: a platform may have thousands of tenants,
//! and every label value a server exports stays a series for as long as it
//! runs (and in Prometheus for its retention).

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

/// How many tenants get series of their own: the first ones to run an
/// operation since the process started. 50 tenants × 2 outcomes is 100
/// series, as many as a handful of operation names cost; past that a
/// dashboard's per-tenant panel stops being readable anyway.
pub const NAMED_TENANTS: usize = 50;

/// The label of every tenant past the first [`NAMED_TENANTS`]. Parentheses
/// are not allowed in a tenant's name, so no tenant is ever called this.
pub const OTHER_TENANTS: &str = "(other)";

fn named() -> std::sync::MutexGuard<'static, HashSet<String>> {
    static NAMED: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    NAMED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// `tenant` itself while it is among the first [`NAMED_TENANTS`] seen,
/// else [`OTHER_TENANTS`].
pub fn tenant_label(tenant: &str) -> String {
    let mut named = named();
    if named.contains(tenant) {
        return tenant.to_owned();
    }
    if named.len() < NAMED_TENANTS {
        named.insert(tenant.to_owned());
        return tenant.to_owned();
    }
    OTHER_TENANTS.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_cap_tenants_are_other() {
        // The set is the process's: fill it with names no other test uses.
        let first = tenant_label("cap-test-0");
        assert_eq!(first, "cap-test-0");
        let labels: Vec<String> = (1..=NAMED_TENANTS)
            .map(|i| tenant_label(&format!("cap-test-{i}")))
            .collect();
        assert_eq!(labels.last().map(String::as_str), Some(OTHER_TENANTS));
        assert_eq!(
            tenant_label("cap-test-0"),
            "cap-test-0",
            "a named one stays"
        );
        assert_eq!(tenant_label("cap-test-late"), OTHER_TENANTS);
        assert!(named().len() <= NAMED_TENANTS);
    }
}
