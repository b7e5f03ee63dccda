//! `viewer`: who the caller is, as the server sees it.

use async_graphql::{Context, Enum, Object, Result};
use entity::agent;

use super::agent::Agent;
use super::errors::GqlResult as _;
use crate::auth::{self, Caller};

/// What a caller may do.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "auth::Role")]
pub(crate) enum Role {
    /// Queries and subscriptions.
    Read,
    /// Everything in its tenant.
    Write,
    /// Acts as one agent of its tenant: reads the tenant, works its own
    /// goals and tasks.
    Agent,
}

/// The caller of this request.
pub(crate) struct Viewer(Caller);

#[Object]
impl Viewer {
    /// What the caller may do.
    async fn role(&self) -> Role {
        self.0.role.into()
    }

    /// The tenant whose objects the caller sees and changes.
    async fn tenant(&self) -> &str {
        self.0.tenant.as_str()
    }

    /// The agent an AGENT caller acts as; null for other roles and when
    /// the credential names no agent of its tenant.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        let Some(id) = self.0.agent_id.filter(|_| self.0.role == auth::Role::Agent) else {
            return Ok(None);
        };
        let found = super::loaders::root_by_id::<agent::Entity>(ctx, id)
            .await
            .gql(ctx)?;
        Ok(found.map(Agent))
    }

    /// The API key's name or the token's `sub`; null with credentials off.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
}

#[derive(Default)]
pub(crate) struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// Who the caller is: role, tenant, the agent it acts as, its name.
    async fn viewer(&self, ctx: &Context<'_>) -> Viewer {
        Viewer(super::caller(ctx).clone())
    }
}
