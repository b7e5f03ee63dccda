//! A self-hosted GraphiQL playground.
//!
//! Browsers in our environment, and in air-gapped deployments, cannot reach a
//! CDN, so the playground must not load anything from one at run time: the
//! GraphiQL, React and ReactDOM browser builds are vendored under
//! `assets/graphiql/` (see its README for versions and how to refresh them),
//! compiled into the binary, and served by [`routes`] under `/graphiql/`.
//! [`page`] is the HTML that loads them.

use std::sync::LazyLock;

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
/// The file names are not versioned, so a day keeps an upgrade visible soon.
const CACHE_CONTROL: &str = "public, max-age=86400";

const REACT_JS: &[u8] = include_bytes!("../../assets/graphiql/react.production.min.js");
const REACT_DOM_JS: &[u8] = include_bytes!("../../assets/graphiql/react-dom.production.min.js");
const GRAPHIQL_JS: &[u8] = include_bytes!("../../assets/graphiql/graphiql.min.js");
const GRAPHIQL_CSS: &[u8] = include_bytes!("../../assets/graphiql/graphiql.min.css");

const PAGE: &str = r#"<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>agentgraph GraphiQL</title>
    <link rel="icon" href="data:," />
    <style>
      html, body { height: 100%; margin: 0; overflow: hidden; }
      body { display: flex; flex-direction: column; }
      #graphiql { flex: 1; min-height: 0; }
      #notice { padding: 8px 16px; background: #fff3cd; color: #664d03; font: 14px sans-serif; }
      #credential { display: flex; gap: 8px; align-items: center; padding: 6px 16px;
                    font: 13px sans-serif; border-bottom: 1px solid #ddd; }
      #credential input { flex: 1; max-width: 40em; font: 13px monospace; }
    </style>
    <link rel="stylesheet" href="/graphiql/graphiql.min.css" />
    <script src="/graphiql/react.production.min.js"></script>
    <script src="/graphiql/react-dom.production.min.js"></script>
    <script src="/graphiql/graphiql.min.js"></script>
  </head>
  <body>
    <!--NOTICE-->
    <form id="credential" autocomplete="off" onsubmit="return false">
      <label for="credential-value">Credential</label>
      <select id="credential-kind" aria-label="credential kind">
        <option value="bearer">Bearer token (Authorization)</option>
        <option value="key">API key (X-API-Key)</option>
      </select>
      <input id="credential-value" type="password" spellcheck="false"
             placeholder="none (kept in this tab only; one set in the Headers pane replaces it)" />
    </form>
    <div id="graphiql">Loading GraphiQL&hellip;</div>
    <noscript>GraphiQL needs JavaScript.</noscript>
    <script>
      const url = new URL('/graphql', window.location.href).toString();
      const httpFetcher = GraphiQL.createFetcher({ url });
      // Subscriptions go over a WebSocket (graphql-transport-ws) at the same
      // path; this small client keeps the page free of any CDN.
      const socketUrl = url.replace(/^http/, 'ws');
      // The operation's kind, from the text (GraphiQL's parsed document is
      // not always what runs): the named operation, else the first.
      function isSubscription(params) {
        const text = (params.query ?? '').replace(/#[^\n]*/g, '');
        if (params.operationName) {
          return new RegExp(`\\bsubscription\\s+${params.operationName}\\b`).test(text);
        }
        const first = text.match(/\b(query|mutation|subscription)\b|\{/);
        return first?.[1] === 'subscription';
      }
      // The credential field: an API key or a bearer token, sent as its
      // header over HTTP and as its connection_init entry on a socket. It
      // stays in this tab's session storage, not in the browser for good.
      const credentialKind = document.getElementById('credential-kind');
      const credentialValue = document.getElementById('credential-value');
      credentialKind.value = sessionStorage.getItem('agentgraph:credential-kind') || 'bearer';
      credentialValue.value = sessionStorage.getItem('agentgraph:credential') || '';
      credentialKind.onchange = () => sessionStorage.setItem('agentgraph:credential-kind', credentialKind.value);
      credentialValue.oninput = () => sessionStorage.setItem('agentgraph:credential', credentialValue.value);
      function credentialHeaders() {
        const value = credentialValue.value.trim();
        if (!value) return {};
        if (credentialKind.value === 'key') return { 'X-API-Key': value };
        return { Authorization: /^bearer\s/i.test(value) ? value : `Bearer ${value}` };
      }
      // A credential set in the Headers pane wins: the field's is then not sent.
      function withCredential(headers) {
        const given = Object.keys(headers ?? {}).some((name) =>
          ['x-api-key', 'authorization'].includes(name.toLowerCase()));
        return given ? { ...headers } : { ...credentialHeaders(), ...(headers ?? {}) };
      }
      // The connection_init payload: the credentials among the headers.
      function initPayload(headers) {
        const payload = {};
        for (const [name, value] of Object.entries(headers)) {
          const lower = name.toLowerCase();
          if (lower === 'x-api-key' || lower === 'authorization') payload[lower] = value;
        }
        return payload;
      }
      function subscribe(params, headers) {
        const queue = [];
        let waiting = null;
        let finished = false;
        const push = (item) => {
          if (finished) return;
          if (item.done) finished = true;
          if (waiting) { waiting(item); waiting = null; } else { queue.push(item); }
        };
        const socket = new WebSocket(socketUrl, 'graphql-transport-ws');
        socket.onopen = () => socket.send(JSON.stringify({
          type: 'connection_init', payload: initPayload(headers),
        }));
        socket.onmessage = (event) => {
          const message = JSON.parse(event.data);
          if (message.type === 'connection_ack') {
            socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: params }));
          } else if (message.type === 'next') {
            push({ value: message.payload, done: false });
          } else if (message.type === 'error') {
            push({ value: { errors: message.payload }, done: false });
            push({ value: undefined, done: true });
          } else if (message.type === 'complete') {
            push({ value: undefined, done: true });
          } else if (message.type === 'ping') {
            socket.send(JSON.stringify({ type: 'pong' }));
          }
        };
        socket.onclose = (event) => {
          if (event.code !== 1000) {
            push({ value: { errors: [{ message: `socket closed: ${event.code} ${event.reason}` }] }, done: false });
          }
          push({ value: undefined, done: true });
        };
        return {
          [Symbol.asyncIterator]() { return this; },
          next() {
            if (queue.length) return Promise.resolve(queue.shift());
            if (finished) return Promise.resolve({ value: undefined, done: true });
            return new Promise((resolve) => { waiting = resolve; });
          },
          return() {
            finished = true;
            socket.close(1000);
            return Promise.resolve({ value: undefined, done: true });
          },
        };
      }
      const fetcher = (params, options) => {
        const headers = withCredential(options?.headers);
        return isSubscription(params)
          ? subscribe(params, headers)
          : httpFetcher(params, { ...options, headers });
      };
      const defaultQuery = `/*DEFAULT_COMMENT*/
{
  agents(first: 5) {
    nodes {
      id
      name
      status
    }
    totalCount
  }
}
`;
      // Tabs opened on a first visit (GraphiQL keeps the user's own after).
      const exampleTabs = [
        { query: `# A plan's progress: its tasks by status (3 of 12 done, 1 failed).
# taskCounts is on agents and goals too; any number of them cost one
# statement per level.
{
  plans(first: 10, filter: { status: ACTIVE }) {
    nodes {
      description
      taskCounts { total completed failed running pending blocked cancelled }
      goal { description taskCounts { total completed } }
    }
  }
}
` },
        { query: `# Where work piles up: unfinished tasks by type and status, largest
# groups first, with the oldest one's creation time.
{
  taskStats(filter: { statusIn: [PENDING, RUNNING, BLOCKED] }, groupBy: [TASK_TYPE, STATUS]) {
    taskType
    status
    count
    oldestCreatedAt
  }
}
` },
        { query: `# What happened to a task: every change, who made it and what it
# changed, oldest first. Put a task's id in the variables below.
query TaskHistory($id: UUID!) {
  history(id: $id, first: 20) {
    nodes { kind version at actor changedFields }
    pageInfo { hasNextPage endCursor }
  }
}
`, variables: '{ "id": "00000000-0000-0000-0000-000000000000" }' },
      ];
      ReactDOM.createRoot(document.getElementById('graphiql')).render(
        React.createElement(GraphiQL, {
          fetcher,
          defaultQuery,
          defaultTabs: [{ query: defaultQuery }, ...exampleTabs],
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: true,
        }),
      );
    </script>
  </body>
</html>
"#;

/// Shown when only trusted documents may run, so that the refusals of
/// whatever is typed in the editor do not come as a surprise.
const ONLY_TRUSTED_NOTICE: &str = "<div id=\"notice\" role=\"alert\">This server runs only \
    trusted documents (<code>--only-persisted-documents</code>): documents typed here are \
    refused with FORBIDDEN unless they are, character for character, one of its manifest.</div>";

/// The playground page; its scripts and styles come from [`routes`].
/// With `only_trusted` it says that ad-hoc documents cannot run here.
pub(crate) fn page(only_trusted: bool) -> Html<&'static str> {
    static OPEN: LazyLock<String> = LazyLock::new(|| {
        PAGE.replace("<!--NOTICE-->", "")
            .replace("/*DEFAULT_COMMENT*/", "# Ctrl-Enter runs the query.")
    });
    static ONLY_TRUSTED: LazyLock<String> = LazyLock::new(|| {
        PAGE.replace("<!--NOTICE-->", ONLY_TRUSTED_NOTICE).replace(
            "/*DEFAULT_COMMENT*/",
            "# This server runs only trusted documents: ad-hoc documents are refused (FORBIDDEN).",
        )
    });
    Html(if only_trusted { &ONLY_TRUSTED } else { &OPEN })
}

/// The playground's embedded assets, at `/graphiql/<file>`.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/graphiql/react.production.min.js",
            get(|| async { asset(JS, REACT_JS) }),
        )
        .route(
            "/graphiql/react-dom.production.min.js",
            get(|| async { asset(JS, REACT_DOM_JS) }),
        )
        .route(
            "/graphiql/graphiql.min.js",
            get(|| async { asset(JS, GRAPHIQL_JS) }),
        )
        .route(
            "/graphiql/graphiql.min.css",
            get(|| async { asset(CSS, GRAPHIQL_CSS) }),
        )
}

fn asset(content_type: &'static str, body: &'static [u8]) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, CACHE_CONTROL),
        ],
        body,
    )
}
