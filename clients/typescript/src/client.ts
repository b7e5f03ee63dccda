// A small GraphQL-over-HTTP client for the typed documents of ./gql: the
// result and variables types come from the document, so a call that does
// not fit the schema does not compile.
import { createHash } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/**
 * How a document goes to the server:
 * - `text`: the document itself (any server);
 * - `documentId`: only the hash from the manifest, for a server started with
 *   `--persisted-documents src/gql/persisted-documents.json` (and possibly
 *   `--only-persisted-documents`);
 * - `apq`: Apollo's automatic persisted queries: the hash first, the text
 *   only when the server answers PERSISTED_QUERY_NOT_FOUND.
 */
export type SendMode = 'text' | 'documentId' | 'apq';

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:8000/graphql. */
  url: string;
  /** Sent as `X-API-Key` when the server requires keys. */
  apiKey?: string;
  send?: SendMode;
  /**
   * A consistency token to start from, e.g. the `consistencyToken` another
   * client (or process) last saw: this client's first read is then at least
   * as fresh as that client's last write.
   */
  consistencyToken?: string;
}

/**
 * The header a server with read replicas answers a write with (the primary's
 * position after the commit) and reads it back on a request: such a request
 * is answered from data at least that fresh.
 */
export const CONSISTENCY_TOKEN_HEADER = 'x-consistency-token';

/** The first error of a response, with its `extensions.code` and `extensions.field`. */
export class GraphQLRequestError extends Error {
  /** The input value or argument the error is about (`input.priority`, `token`), if any. */
  readonly field: string | undefined;

  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly errors: unknown[],
  ) {
    super(`${code}: ${message}`);
    this.field = (errors[0] as GraphQLError | undefined)?.extensions?.field;
  }
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string; field?: string };
}

/**
 * Whether a request may be sent again as it is: the server was not reached or
 * did not answer (fetch throws a TypeError), or it said it could not serve it
 * now (503, SERVICE_UNAVAILABLE). A create is safe to resend only with its
 * idempotency key; a complete, fail or release with the same token.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof TypeError) return true;
  return err instanceof GraphQLRequestError && (err.status === 503 || err.code === 'SERVICE_UNAVAILABLE');
}

/**
 * Whether a work-queue call failed because its lease is gone (CONFLICT on
 * `token`): it expired, a newer claim holds the task, or the task left RUNNING
 * another way. Nothing was changed; the worker drops the task.
 */
export function isLeaseLost(err: unknown): boolean {
  return err instanceof GraphQLRequestError && err.code === 'CONFLICT' && err.field === 'token';
}

export interface Client {
  execute<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult>;
  /**
   * The last `X-Consistency-Token` a response carried (or the one given in
   * the options), sent back on every request so that a read after this
   * client's own write sees it even when a replica answers. Undefined until
   * a server with replicas answers a write.
   */
  readonly consistencyToken: string | undefined;
}

export function createClient(options: ClientOptions): Client {
  const send = options.send ?? 'text';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json;q=0.9',
  };
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  let consistencyToken = options.consistencyToken || undefined;

  // Every request goes through here, so every request carries the token.
  async function post(body: Record<string, unknown>): Promise<unknown> {
    const sent = consistencyToken ? { ...headers, [CONSISTENCY_TOKEN_HEADER]: consistencyToken } : headers;
    const response = await fetch(options.url, { method: 'POST', headers: sent, body: JSON.stringify(body) });
    // Kept even when the body is an error: a write may have committed before
    // a later field failed. A response without it (a read, a server without
    // replicas) leaves the last one in place.
    const received = response.headers.get(CONSISTENCY_TOKEN_HEADER);
    if (received) consistencyToken = received;
    const text = await response.text();
    let parsed: { data?: unknown; errors?: GraphQLError[] };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new GraphQLRequestError('HTTP', `${response.status}: ${text.slice(0, 200)}`, response.status, []);
    }
    const first = parsed.errors?.[0];
    if (first) {
      const code = first.extensions?.code ?? '(no code)';
      throw new GraphQLRequestError(code, first.message, response.status, parsed.errors ?? []);
    }
    if (!response.ok || parsed.data == null) {
      throw new GraphQLRequestError('HTTP', `${response.status}: no data`, response.status, []);
    }
    return parsed.data;
  }

  return {
    get consistencyToken() {
      return consistencyToken;
    },
    async execute(document, variables) {
      const vars = variables as Record<string, unknown>;
      if (send === 'documentId') {
        return (await post({ documentId: documentIdOf(document), variables: vars })) as never;
      }
      const query = print(document);
      if (send === 'text') return (await post({ query, variables: vars })) as never;
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const extensions = { persistedQuery: { version: 1, sha256Hash } };
      try {
        return (await post({ extensions, variables: vars })) as never;
      } catch (err) {
        if (!(err instanceof GraphQLRequestError) || err.code !== 'PERSISTED_QUERY_NOT_FOUND') throw err;
        return (await post({ query, extensions, variables: vars })) as never;
      }
    },
  };
}

/** The manifest hash graphql-codegen embedded in a generated document. */
export function documentIdOf(document: object): string {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== 'string') throw new Error('the document has no persisted-document hash');
  return hash;
}
