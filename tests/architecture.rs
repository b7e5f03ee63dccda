//! ARCHITECTURE.md and the decision records in docs/decisions/ name source
//! paths; this checks that every one of them exists, so the map cannot drift
//! from the territory unnoticed.
//!
//! A path is a backticked span that starts with one of `ROOTS` (`src/…rs`,
//! `src/http/`, `tests/api/http.rs`, `.ci/stress`, …). A span that names an
//! item after the path, `tests/api/http.rs::a_post_of_malformed_json_is_400`
//! or `src/db/pool.rs::Pool::begin`, also needs the file to contain the
//! item's first name. Spans holding a placeholder (`entity/src/<type>.rs`),
//! a glob or a space are patterns, not paths, and are skipped.
//!
//! Plain std, no server: it runs in its own test binary
//! (`cargo test -p agentgraph --test architecture`).

// A test states what it expects with `expect`: a failure names it.
#![allow(clippy::expect_used)]

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Where the named paths may start.
const ROOTS: &[&str] = &[
    "src/",
    "tests/",
    "migration/",
    "entity/",
    "bench/",
    "loadtest/",
    "docs/",
    ".ci/",
    ".cargo/",
    "clients/",
];

/// One path a document names, and the item after it, if any.
#[derive(Debug, PartialEq, Eq)]
struct Named {
    path: String,
    item: Option<String>,
}

/// The backticked spans of a Markdown text, outside fenced code blocks.
/// Spans may run over a line break, as in Markdown.
fn code_spans(text: &str) -> Vec<String> {
    let mut prose = String::with_capacity(text.len());
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    prose
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|span| span.trim().to_owned())
        .collect()
}

/// The path a span names, if it names one.
fn named(span: &str) -> Option<Named> {
    if !ROOTS.iter().any(|root| span.starts_with(root)) {
        return None;
    }
    if span
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '*' | '{' | '}' | '…' | '|'))
    {
        return None;
    }
    let (path, item) = match span.split_once("::") {
        Some((path, item)) => {
            // `Pool::begin`, `name()` and `name!`: the first name is enough.
            let first = item
                .split("::")
                .next()
                .unwrap_or(item)
                .trim_end_matches("()")
                .trim_end_matches('!');
            (path, (!first.is_empty()).then(|| first.to_owned()))
        }
        None => (span, None),
    };
    Some(Named {
        path: path.to_owned(),
        item,
    })
}

/// What is wrong with one named path, if anything.
fn problem(root: &Path, named: &Named) -> Option<String> {
    let full = root.join(&named.path);
    let exists = if named.path.ends_with('/') {
        full.is_dir()
    } else {
        full.exists()
    };
    if !exists {
        return Some(format!("`{}` does not exist", named.path));
    }
    let item = named.item.as_ref()?;
    let text = fs::read_to_string(&full).ok()?;
    let found = text.match_indices(item.as_str()).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + item.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !word(before) && !word(after)
    });
    (!found).then(|| format!("`{}` has no `{item}`", named.path))
}

/// ARCHITECTURE.md, then every decision record, in name order.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut documents = vec![root.join("ARCHITECTURE.md")];
    let mut records: Vec<PathBuf> = fs::read_dir(root.join("docs/decisions"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|e| e == "md"))
                .collect()
        })
        .unwrap_or_default();
    records.sort();
    documents.extend(records);
    documents
}

#[test]
fn every_path_the_architecture_documents_name_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut report = String::new();
    let mut checked = 0;
    for document in documents(root) {
        let text = fs::read_to_string(&document)
            .unwrap_or_else(|err| panic!("{}: {err}", document.display()));
        let mut problems: Vec<String> = Vec::new();
        for span in code_spans(&text) {
            let Some(named) = named(&span) else { continue };
            checked += 1;
            if let Some(problem) = problem(root, &named)
                && !problems.contains(&problem)
            {
                problems.push(problem);
            }
        }
        if !problems.is_empty() {
            let name = document.strip_prefix(root).unwrap_or(&document);
            let _ = writeln!(report, "{}:", name.display());
            for problem in problems {
                let _ = writeln!(report, "  {problem}");
            }
        }
    }
    assert!(checked > 0, "no paths found: is ARCHITECTURE.md there?");
    assert!(
        report.is_empty(),
        "paths named in the architecture documents that are not in the tree \
         (fix the document, or the path):\n{report}"
    );
}

#[test]
fn spans_name_paths_items_and_skip_patterns() {
    let text = "See `src/http/ws.rs` and `src/engine/`,\n`tests/api/http.rs::a_test`, \
                `src/db/pool.rs::Pool::begin`, `src/x.rs::run()`, a pattern \
                `entity/src/<type>.rs`, a type `AppState`, and a long\nspan `src/a.rs`.\n\
                ```\n`src/fenced.rs`\n```\n";
    let named: Vec<Named> = code_spans(text).iter().filter_map(|s| named(s)).collect();
    let expected = [
        ("src/http/ws.rs", None),
        ("src/engine/", None),
        ("tests/api/http.rs", Some("a_test")),
        ("src/db/pool.rs", Some("Pool")),
        ("src/x.rs", Some("run")),
        ("src/a.rs", None),
    ]
    .map(|(path, item)| Named {
        path: path.to_owned(),
        item: item.map(str::to_owned),
    });
    assert_eq!(named, expected);
}
