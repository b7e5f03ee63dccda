//! What the four resources share in GraphQL, written once: the six
//! arguments of a connection field, the query roots (one by id, a page of
//! all) and the mutation roots (create, update, delete). A resource's own
//! file then holds its object's fields, its inputs and their rules.

/// An object's `#[Object]` impl with its connection fields appended: each
/// takes `first`, `after`, `last`, `before`, `filter` and `orderBy`, and is
/// either every object of its type (`list`), the children of this one
/// (`children(<the child's column naming this parent>)`), or every object
/// that a function of the filter and this one's id narrows the list to
/// (`narrowed(<function>)`).
macro_rules! paged_object {
    (
        impl $object:ident { $($body:tt)* }
        pages {
            $(
                $(#[$doc:meta])*
                $field:ident: $node:ident, $filter:ident, $order:ident, $fetch:ident $(($column:path))?;
            )*
        }
    ) => {
        #[async_graphql::Object]
        impl $object {
            $($body)*
            $(
                $(#[$doc])*
                #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
                async fn $field(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    #[graphql(desc = "Page forward: how many objects, 1 to 100 (default 20).")]
                    first: Option<i32>,
                    #[graphql(desc = "Cursor of the object to start after.")]
                    after: Option<String>,
                    #[graphql(desc = "Page backward: how many of the last objects, 1 to 100.")]
                    last: Option<i32>,
                    #[graphql(desc = "Cursor of the object to end before.")]
                    before: Option<String>,
                    #[graphql(desc = "Only objects matching every condition given.")]
                    filter: Option<$filter>,
                    #[graphql(desc = "The ordering; oldest first when not given.")]
                    order_by: Option<$crate::graphql::pagination::Order<$order>>,
                ) -> async_graphql::Result<$crate::graphql::connection::Connection<$node>> {
                    use $crate::graphql::errors::GqlResult as _;
                    let args = $crate::graphql::pagination::PageArgs { first, after, last, before };
                    paged_object!(@fetch self, ctx, args, filter, order_by, $fetch $(($column))?)
                        .await
                        .gql(ctx)
                }
            )*
        }
    };
    (@fetch $self:ident, $ctx:ident, $args:ident, $filter:ident, $order:ident, list) => {
        $crate::graphql::connection::list($ctx, $args, $filter, $order)
    };
    (@fetch $self:ident, $ctx:ident, $args:ident, $filter:ident, $order:ident, narrowed($narrow:path)) => {
        $crate::graphql::connection::list_narrowed($ctx, $args, $filter, $order, |filter| {
            $narrow(filter, $self.0.id)
        })
    };
    (@fetch $self:ident, $ctx:ident, $args:ident, $filter:ident, $order:ident, children($column:path)) => {
        $crate::graphql::connection::children($ctx, $column, $self.0.id, $args, $filter, $order)
    };
}
pub(crate) use paged_object;

/// The query and mutation roots of one resource: `<one>(id)`, a page of
/// `<many>`, and `create…`, `update…` and `delete…` through its service.
/// `delete` takes `cascade` where the resource has children.
macro_rules! resource_roots {
    (
        $node:ident of $entity:path, through $service:ident {
            query $query:ident {
                $(#[doc = $one_doc:literal])+ $one:ident;
                $(#[doc = $many_doc:literal])+ $many:ident: $filter:ident, $order:ident;
            }
            mutation $mutation:ident {
                $(#[doc = $create_doc:literal])+ $create:ident($create_input:ident) as $create_name:literal;
                $(#[doc = $update_doc:literal])+ $update:ident($update_input:ident);
                $(#[doc = $delete_doc:literal])+ $delete:ident $(($cascade:ident))?;
            }
        }
    ) => {
        #[derive(Default)]
        pub(crate) struct $query;

        paged_object! {
            impl $query {
                $(#[doc = $one_doc])+
                async fn $one(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    id: uuid::Uuid,
                ) -> async_graphql::Result<Option<$node>> {
                    use $crate::graphql::errors::GqlResult as _;
                    let found = $crate::graphql::loaders::root_by_id::<$entity>(ctx, id)
                        .await
                        .gql(ctx)?;
                    Ok(found.map($node))
                }
            }
            pages {
                $(#[doc = $many_doc])+
                $many: $node, $filter, $order, list;
            }
        }

        #[derive(Default)]
        pub(crate) struct $mutation;

        #[async_graphql::Object]
        impl $mutation {
            $(#[doc = $create_doc])+
            async fn $create(
                &self,
                ctx: &async_graphql::Context<'_>,
                input: $create_input,
            ) -> async_graphql::Result<$node> {
                use $crate::graphql::errors::GqlResult as _;
                let key = input.idempotency_key.as_deref();
                let claim = $crate::graphql::idempotent::claim_of(ctx, $create_name, &input, key);
                let new = input.validate().gql(ctx)?;
                let creates = $crate::graphql::creates(ctx);
                let caller = $crate::graphql::caller(ctx);
                let model = $service::create(creates, caller, new, claim).await.gql(ctx)?;
                Ok($node(model))
            }

            $(#[doc = $update_doc])+
            async fn $update(
                &self,
                ctx: &async_graphql::Context<'_>,
                id: uuid::Uuid,
                input: $update_input,
            ) -> async_graphql::Result<$node> {
                use $crate::graphql::errors::GqlResult as _;
                let changes = input.validate().gql(ctx)?;
                let writer = &$crate::graphql::db(ctx).writer;
                let caller = $crate::graphql::caller(ctx);
                let model = $service::update(writer, caller, id, changes).await.gql(ctx)?;
                Ok($node(model))
            }

            $(#[doc = $delete_doc])+
            async fn $delete(
                &self,
                ctx: &async_graphql::Context<'_>,
                id: uuid::Uuid,
                $(#[graphql(default_with = "Some(false)")] $cascade: Option<bool>,)?
            ) -> async_graphql::Result<uuid::Uuid> {
                use $crate::graphql::errors::GqlResult as _;
                let writer = &$crate::graphql::db(ctx).writer;
                let caller = $crate::graphql::caller(ctx);
                $service::delete(writer, caller, id $(, $cascade.unwrap_or(false))?).await.gql(ctx)
            }
        }
    };
}
pub(crate) use resource_roots;
