// The package: the typed documents and types generated from operations/,
// and a client to run them.
export * from './client.js';
export * from './gql/graphql.js';
