//! One GraphQL operation's life, whatever carries it: admission (persisted
//! documents, the parsed-document cache, limits, the caller's rights,
//! variable coercion), execution within the concurrency limit and the
//! timeout, shared subscription executions, and the errors of the response
//! as they leave. Transports (`http`) call [`operation::admit`] and then
//! [`operation::execute`] or [`shared::results`]; the schema (`graphql`)
//! is all this floor runs.
//!
//! # Where we work around async-graphql
//!
//! async-graphql is pinned to `=7.0.17` (Cargo.toml); this floor owns the
//! pin. Each row: what upstream does, what we do instead, the test that
//! shows ours, and the upstream change that would let us delete ours.
//!
//! | upstream behaviour | ours | test | deleted by |
//! |---|---|---|---|
//! | 7.1 and 7.2 resolve sibling fields with `FuturesUnordered` and emit them in completion order, against the spec's rule that the response keeps the selection's order | stay on 7.0.17, which joins them in order | `field_order::a_response_keeps_the_order_of_its_selection_set` | an upstream release that orders the joined fields again |
//! | a variable is read only when a resolver reads its argument, so a bad variable is a field error after earlier root fields ran (and committed) | [`variables::coerce`] checks every variable before anything runs: a request error, no `data` | `request_errors::a_bad_variable_anywhere_runs_nothing_and_names_its_path` | coercion of variables at request start upstream |
//! | every request's document is validated in full, even one parsed before (5-9% of a point read's CPU) | [`validated`]: a document remembers the variable shapes it passed with and runs on a `ValidationMode::Fast` schema | `remembered::a_document_is_validated_again_for_each_shape_of_its_variables` | a validation cache keyed by document and variable shape upstream |
//! | every request is parsed anew | [`documents`]: a parsed-document cache with what admission checks about it | `remembered::a_validated_document_still_meets_the_complexity_limit_with_other_variables` | a document cache upstream |
//! | its own errors (parse, validation, coercion) carry no `extensions.code`; some are reported twice (a subscription on a schema without one, a wrong argument literal) | [`response::tidy`] adds the contract's code and field and keeps the first report | `request_errors::each_problem_is_reported_once` | codes on upstream's errors, and one report per problem |
//! | no limit on how many fields a document selects (aliases make one field many) | [`limits`] counts fields and root fields before execution | `security::an_over_complex_query_is_refused_with_a_4xx` | a field-count limit upstream |
//! | a subscription's stream runs once per subscriber | [`shared`]: the same document with the same variables runs once per instance | `subscriptions::subscribers_of_the_same_document_share_it_and_come_and_go_freely` | none expected: this is ours to keep |
//! | `async-graphql-axum`'s extractors, response, service and WebSocket engine break GraphQL-over-HTTP and graphql-transport-ws rules | our own transports (`http`), with async-graphql's own request and response types and its subprotocol name; part by part in `docs/decisions/001-own-http-handler-and-websocket-protocol.md` | `http`, `request_errors` and `subscriptions::transport` suites | each part's upstream change, listed in the record |
//! | federation comes with any `#[graphql(entity)]` resolver, whose `@key` then shows in every schema built from that root; a bad representation is "Entity not found." with no code | `graphql::federation`: the keys come from a type registered only under `--federation`, and a root member without fields answers `find_entity` through the loaders, naming the bad key | `federation::without_the_flag_the_schema_has_no_entities_nor_service`, `federation::entities::a_bad_representation_is_bad_user_input_at_its_index` | federation switched per schema build, and coded entity errors, upstream |
//! | the loader's batch window is a timer | `graphql::loaders::DbLoader::per_request` drives batches when the execution stalls | `loaders::a_four_level_query_costs_the_same_statements_for_20_agents_as_for_2` | an upstream loader driven by the executor |

pub(crate) mod documents;
pub(crate) mod limits;
pub(crate) mod operation;
pub(crate) mod outcome;
pub(crate) mod persisted;
pub(crate) mod rejection;
pub(crate) mod response;
pub(crate) mod shared;
pub(crate) mod validated;
pub(crate) mod variables;

use std::sync::Arc;
use std::time::Duration;

use crate::changes::Hub;
use crate::db::Db;
use crate::graphql::AppSchema;

pub(crate) use documents::DocumentCache;
pub(crate) use persisted::PersistedDocuments;
pub(crate) use shared::SharedSubscriptions;

/// Limits checked per operation by this floor (depth and complexity are the
/// schema's own).
#[derive(Debug, Clone)]
pub(crate) struct RequestLimits {
    pub(crate) max_fields: usize,
    pub(crate) max_root_fields: usize,
    pub(crate) timeout: Duration,
    /// Whether `__schema` and `__type` may be asked for.
    pub(crate) introspection: bool,
}

/// What running operations takes, shared by every transport.
#[derive(Clone)]
pub(crate) struct Engine {
    pub(crate) db: Db,
    pub(crate) schema: AppSchema,
    /// The same schema with async-graphql's fast validation rules, for
    /// documents that passed the full ones ([`validated`]).
    pub(crate) validated_schema: AppSchema,
    pub(crate) limits: Arc<RequestLimits>,
    /// Documents already parsed, by text and operation name.
    pub(crate) documents: Arc<DocumentCache>,
    /// Documents known by hash: the trusted manifest and registrations.
    pub(crate) persisted: Arc<PersistedDocuments>,
    /// One permit per operation allowed to execute at once.
    pub(crate) executions: Arc<tokio::sync::Semaphore>,
    /// Live changes for subscriptions.
    pub(crate) hub: Arc<Hub>,
    /// Subscriptions that share one execution (same document and variables).
    pub(crate) shared: Arc<SharedSubscriptions>,
}
