//! Apollo Federation v2 (`serve --federation`): agents, goals, plans and
//! tasks as entities keyed by `id`, so that a gateway can compose this
//! schema with other subgraphs. `_entities` resolves its representations
//! through the request's by-id loaders: one statement per type however many
//! representations, in the caller's tenant like `agent(id:)`. Without the
//! flag nothing here shows in the schema (decision record 011).

use std::borrow::Cow;

use async_graphql::registry::{MetaType, MetaTypeId, Registry};
use async_graphql::resolver_utils::ContainerType;
use async_graphql::{
    Any, Context, ContextSelectionSet, ObjectType, OutputType, Positioned, ServerResult, Value,
    parser::types::Field,
};
use entity::{agent, goal, plan, task};
use uuid::Uuid;

use super::errors::{GqlResult as _, to_graphql_error};
use super::loaders::{ById, Loaders};
use crate::error::AppError;
use crate::service::store::resource::Resource;

/// A resource as a federation entity: its GraphQL object, keyed by `id`.
trait Entity: Resource {
    type Object: OutputType;
    fn object(model: Self::Model) -> Self::Object;
}

macro_rules! entities {
    ($($entity:path => $module:ident::$object:ident as $name:literal),* $(,)?) => {
        $(
            impl Entity for $entity {
                type Object = super::$module::$object;
                fn object(model: Self::Model) -> Self::Object {
                    super::$module::$object(model)
                }
            }
        )*

        /// The typenames `_entities` resolves, in the order the errors name them.
        const TYPENAMES: &[&str] = &[$($name),*];

        /// The entity `typename` names, with this id, through the loaders.
        async fn resolve(ctx: &Context<'_>, typename: &str, id: Uuid) -> ServerResult<Value> {
            match typename {
                $($name => resolve_one::<$entity>(ctx, id).await,)*
                // `representation` let only the names above through.
                _ => Ok(Value::Null),
            }
        }
    };
}

entities! {
    agent::Entity => agent::Agent as "Agent",
    goal::Entity => goal::Goal as "Goal",
    plan::Entity => plan::Plan as "Plan",
    task::Entity => task::Task as "Task",
}

/// The member of the query root that answers `_entities` (async-graphql asks
/// the root's `find_entity` for each representation). It has no fields of
/// its own, so it adds nothing to the schema; `_entities` exists only when
/// [`EntityKeys`] was registered.
#[derive(Default)]
pub(crate) struct Entities;

impl ContainerType for Entities {
    async fn resolve_field(&self, _ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        Ok(None)
    }

    async fn find_entity(&self, ctx: &Context<'_>, params: &Value) -> ServerResult<Option<Value>> {
        let (typename, id) = representation(params).map_err(|(key, message)| {
            let field = match index_of(ctx, params) {
                Some(index) => format!("representations.{index}{key}"),
                None => format!("representations{key}"),
            };
            let error = to_graphql_error(ctx, AppError::invalid(field, message));
            ctx.set_error_path(error.into_server_error(ctx.item.pos))
        })?;
        resolve(ctx, typename, id).await.map(Some)
    }
}

/// The `__typename` and `id` of a representation, or the key that is wrong
/// (`.id`, `.__typename`, or none for the whole value) and why.
fn representation(params: &Value) -> Result<(&str, Uuid), (&'static str, String)> {
    let Value::Object(fields) = params else {
        return Err(("", "a representation is an object".to_owned()));
    };
    let typename = match fields.get("__typename") {
        Some(Value::String(name)) if TYPENAMES.contains(&name.as_str()) => name.as_str(),
        Some(Value::String(name)) => {
            let known = TYPENAMES.join(", ");
            return Err((
                ".__typename",
                format!("\"{name}\" is not an entity of this subgraph ({known})"),
            ));
        }
        _ => return Err((".__typename", "a string is required".to_owned())),
    };
    match fields.get("id") {
        Some(Value::String(id)) => match Uuid::parse_str(id) {
            Ok(id) => Ok((typename, id)),
            Err(_) => Err((".id", format!("\"{id}\" is not a UUID"))),
        },
        _ => Err((
            ".id",
            format!("a {typename}'s key `id` (a UUID) is required"),
        )),
    }
}

/// Where a bad representation sits in the list, for the error's `field`.
/// Only asked on the error path: a scan of the (already parsed) argument.
fn index_of(ctx: &Context<'_>, params: &Value) -> Option<usize> {
    let (_, representations) = ctx.param_value::<Vec<Any>>("representations", None).ok()?;
    representations.iter().position(|r| &r.0 == params)
}

/// One entity, resolved with the selection `_entities` made of its type;
/// `null` when this tenant has no such object.
async fn resolve_one<E: Entity>(ctx: &Context<'_>, id: Uuid) -> ServerResult<Value> {
    let found = ctx
        .data_unchecked::<Loaders>()
        .load_one(ById::<E>::new(id))
        .await
        .gql(ctx)
        .map_err(|err| ctx.set_error_path(err.into_server_error(ctx.item.pos)))?;
    let Some(model) = found else {
        return Ok(Value::Null);
    };
    let selection = ctx.with_selection_set(&ctx.item.node.selection_set);
    E::object(model).resolve(&selection, ctx.item).await
}

impl OutputType for Entities {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("_Entities")
    }

    /// An object without fields, merged into the query root and then
    /// dropped with the other types nothing refers to.
    fn create_type_info(registry: &mut Registry) -> String {
        registry.create_output_type::<Self, _>(MetaTypeId::Object, |_| MetaType::Object {
            name: Self::type_name().into_owned(),
            description: None,
            fields: Default::default(),
            cache_control: Default::default(),
            extends: false,
            shareable: false,
            resolvable: true,
            keys: None,
            visible: None,
            inaccessible: false,
            interface_object: false,
            tags: Vec::new(),
            is_subscription: false,
            rust_typename: Some(std::any::type_name::<Self>()),
            directive_invocations: Vec::new(),
            requires_scopes: Vec::new(),
        })
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        async_graphql::resolver_utils::resolve_container(ctx, self).await
    }
}

impl ObjectType for Entities {}

/// Registered only under `--federation`: puts `@key(fields: "id")` on the
/// four entity types, which makes async-graphql add `_entities`, `_service`
/// and the `_Entity` union when the schema is finished. It is never a field's
/// type.
pub(crate) struct EntityKeys;

impl OutputType for EntityKeys {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("_Entity")
    }

    fn create_type_info(registry: &mut Registry) -> String {
        for name in TYPENAMES {
            registry.add_keys(name, "id");
        }
        Self::type_name().into_owned()
    }

    async fn resolve(
        &self,
        _ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        Ok(Value::Null)
    }
}
