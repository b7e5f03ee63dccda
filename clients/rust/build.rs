//! Rebuilds the typed client when the schema or an operation document changes
//! (the `GraphQLQuery` derive reads them, but cargo does not track that).

fn main() {
    println!("cargo::rerun-if-changed=../../schema.graphql");
    println!("cargo::rerun-if-changed=../operations");
}
