//! Creating one object under its parents, with or without an idempotency
//! key and with or without children (a tree), the same way for the four
//! resources: queued for group commit (`group_commit`) when it stands alone,
//! one transaction when it carries children (`trees`). A resource gives
//! its model, its parents and its name; what became of the write is told
//! here.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, ModelTrait};
use uuid::Uuid;

use super::batch::{Inserted, Pending, refused};
use super::group_commit::{Creates, Queued};
use super::idempotency::Claim;
use super::trees::{self, Children};
use super::{Parent, ParentTest, parent_vanished};
use crate::auth::Tenant;
use crate::error::{AppError, Result};
use crate::service::store::actor::Actor;
use crate::service::store::resource::{Resource, find_by_id_in, not_found};

/// Creates `model` under `parents` (with `children` in the same
/// transaction), remembering `claim` with it: the model as written, or the
/// one the key made before.
pub(crate) async fn create<E: Queued>(
    creates: &Creates,
    by: Actor<'_>,
    model: E::Model,
    parents: Vec<Parent>,
    claim: Option<Claim>,
    children: Option<Children>,
    what: &'static str,
) -> Result<E::Model>
where
    E::Model: ModelTrait<Entity = E>,
{
    let at = E::created_at_of(&model);
    let (exists, named): (Vec<_>, Vec<_>) = parents
        .into_iter()
        .map(|p| (p.test.clone(), (p.what, p.test)))
        .unzip();
    let (model, inserted) = match children {
        None => insert_one::<E>(creates, by, model, exists, claim, at).await?,
        Some(children) => {
            let claim = claim.as_ref();
            let exists = exists.iter().map(ParentTest::exists).collect();
            let inserted =
                trees::create_tree::<E>(creates, by, &model, exists, claim, at, children).await?;
            (model, inserted)
        }
    };
    match inserted {
        Inserted::Created => Ok(model),
        Inserted::Replay(id) => {
            let tenant = Tenant::trusted(E::tenant_of(&model));
            replayed::<E>(creates.writes(), &tenant, id, what).await
        }
        Inserted::ParentMissing => {
            // Which parent is missing, in the order the resource named them.
            for (what, test) in &named {
                if creates.writes().query_one(&test.exists()).await?.is_none() {
                    return Err(not_found(what, test.id()));
                }
            }
            if named.is_empty() {
                // No parent to miss: an insert that did nothing without an
                // error cannot happen.
                return Err(AppError::internal(&format!(
                    "a {what} insert wrote nothing"
                )));
            }
            Err(parent_vanished(what))
        }
    }
}

/// Inserts `model` if its parents exist, remembering `claim` with it, and
/// gives the model back with what became of it. The write may share its
/// statement and commit with concurrent creates; it is answered only after
/// that commit.
async fn insert_one<E: Queued>(
    creates: &Creates,
    by: Actor<'_>,
    model: E::Model,
    parents: Vec<ParentTest>,
    claim: Option<Claim>,
    at: DateTime<Utc>,
) -> Result<(E::Model, Inserted)>
where
    E::Model: ModelTrait<Entity = E>,
{
    let pending = Pending {
        model,
        parents,
        claim,
        at,
        actor: by.map(str::to_owned),
    };
    let (pending, went_in) = E::queue(creates).write(pending).await?;
    let inserted = match (&pending.claim, went_in) {
        (_, true) => Inserted::Created,
        (Some(claim), false) => refused(creates.writes(), claim).await?,
        (None, false) => Inserted::ParentMissing,
    };
    Ok((pending.model, inserted))
}

/// The object a key made, as it is now.
async fn replayed<E: Resource>(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    id: Uuid,
    what: &str,
) -> Result<E::Model> {
    find_by_id_in::<E>(tenant, id)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "the {what} this idempotency key created ({id}) has been deleted since"
            ))
        })
}
