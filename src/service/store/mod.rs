//! The storage machinery of the four resources: the [`resource::Resource`]
//! trait, keyset pages and orderings, nested pages of many parents, partial
//! rows, time bounds, and the versioned update.

pub(crate) mod actor;
pub(crate) mod bounds;
pub(crate) mod children;
pub(crate) mod columns;
pub(crate) mod order;
pub(crate) mod page;
pub(crate) mod point_reads;
pub(crate) mod resource;
pub(crate) mod update;
