//! The `nodes` list of a connection, resolved without a boxed future per
//! field.
//!
//! async-graphql resolves each object of a list with `resolve_container`: a
//! `Vec` of boxed futures, one per selected field, joined with
//! `try_join_all`, even when every field is a column of the row and ready at
//! once. In a nested read that is most of the work per object (issue 13, Q2:
//! 1,000 of its 1,320 objects are tasks selecting only `id`). Here a leaf
//! field (one without a selection set: a scalar or an enum) is polled once in
//! place, through the object's own generated `resolve_field`, so its value is
//! exactly the one the generic path would give; only the other fields
//! (relations, nested connections) get a boxed future, joined as before.
//!
//! A field with a selection set is polled once in place too: one whose
//! value is at hand (`taskCounts` read with its page) is then done without
//! a boxed future or a join, and one that waits on a loader joins the
//! others, polled again there. [`Plain`] resolves a single object (one
//! whose fields are all read from memory, such as `TaskCounts`) the same
//! way.
//!
//! Only plain selections take this path: a fragment, a directive or a
//! response key given twice falls back to async-graphql's own list
//! resolution, which merges and applies them. It also bypasses extension
//! hooks, which the schema has none of (see `graphql::builder`).

use std::borrow::Cow;
use std::task::Poll;

use async_graphql::futures_util::FutureExt;
use async_graphql::futures_util::future::{BoxFuture, try_join_all};
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::resolver_utils::{resolve_container, resolve_list};
use async_graphql::{
    ContainerType, ContextSelectionSet, OutputType, Positioned, ServerResult, Value, registry,
};

/// The nodes of a page, as GraphQL `[X!]!`.
pub(crate) struct NodeList<'a, N>(pub &'a [N]);

impl<N: ContainerType + Sync> OutputType for NodeList<'_, N> {
    fn type_name() -> Cow<'static, str> {
        <&[N] as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <&[N] as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut registry::Registry) -> String {
        <&[N] as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let Some(fields) = plain_fields(ctx) else {
            return resolve_list(ctx, field, self.0, Some(self.0.len())).await;
        };
        let objects = self.0.iter().enumerate().map(|(index, node)| {
            let fields = &fields;
            async move {
                let ctx = ctx.with_index(index);
                resolve_object(&ctx, node, fields)
                    .await
                    .map_err(|err| ctx.set_error_path(err))
            }
        });
        Ok(Value::List(try_join_all(objects).await?))
    }
}

/// An object resolved as the objects of a [`NodeList`] are.
pub(crate) struct Plain<T>(pub T);

impl<T: ContainerType + OutputType + Sync> OutputType for Plain<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn create_type_info(registry: &mut registry::Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match plain_fields(ctx) {
            Some(fields) => resolve_object(ctx, &self.0, &fields).await,
            None => resolve_container(ctx, &self.0).await,
        }
    }
}

/// The selected fields when they are all plain (no fragment, no directive,
/// no response key twice); `None` otherwise.
fn plain_fields<'a>(ctx: &ContextSelectionSet<'a>) -> Option<Vec<&'a Positioned<Field>>> {
    let mut fields: Vec<&Positioned<Field>> = Vec::with_capacity(ctx.item.node.items.len());
    for selection in &ctx.item.node.items {
        let Selection::Field(field) = &selection.node else {
            return None;
        };
        let key = &field.node.response_key().node;
        if !field.node.directives.is_empty()
            || fields.iter().any(|f| &f.node.response_key().node == key)
        {
            return None;
        }
        fields.push(field);
    }
    Some(fields)
}

/// One object: its leaf fields at once, the others concurrently, the
/// response in selection order.
async fn resolve_object<'a, N: ContainerType + Sync>(
    ctx: &ContextSelectionSet<'a>,
    node: &'a N,
    fields: &[&'a Positioned<Field>],
) -> ServerResult<Value> {
    let mut values: Vec<Option<Value>> = Vec::with_capacity(fields.len());
    let mut pending: Vec<BoxFuture<'_, ServerResult<Option<Value>>>> = Vec::new();
    for &field in fields {
        if field.node.name.node == "__typename" {
            let name = node.introspection_type_name().into_owned();
            values.push(Some(Value::String(name)));
            continue;
        }
        if field.node.selection_set.node.items.is_empty() {
            // A leaf reads only the row, so it is ready at the first poll.
            if let Some(value) = node.resolve_field(&ctx.with_field(field)).now_or_never() {
                values.push(Some(value?.unwrap_or_default()));
                continue;
            }
        }
        let mut resolving: BoxFuture<'_, ServerResult<Option<Value>>> =
            Box::pin(async move { node.resolve_field(&ctx.with_field(field)).await });
        // Polled with this task's own waker: one left pending is woken as
        // any other, and the join below polls it again.
        match std::future::poll_fn(|cx| Poll::Ready(resolving.as_mut().poll(cx))).await {
            Poll::Ready(value) => values.push(Some(value?.unwrap_or_default())),
            Poll::Pending => {
                values.push(None);
                pending.push(resolving);
            }
        }
    }
    let mut resolved = try_join_all(pending).await?.into_iter();
    let mut object = IndexMap::with_capacity(fields.len());
    for (field, value) in fields.iter().zip(values) {
        let value = value.or_else(|| resolved.next().map(Option::unwrap_or_default));
        object.insert(
            field.node.response_key().node.clone(),
            value.unwrap_or_default(),
        );
    }
    Ok(Value::Object(object))
}
