//! Reading `/metrics` and the dashboard's PromQL: which series and labels
//! the server exports, and which an expression uses.

use std::collections::{BTreeMap, BTreeSet};

/// Labels Prometheus adds to every series it scrapes.
const SCRAPE_LABELS: [&str; 2] = ["instance", "job"];

/// What `/metrics` exports: each series name with the labels it carries, and
/// each metric family's type from its `# TYPE` line.
#[derive(Debug, Default)]
pub(super) struct Exported {
    pub(super) series: BTreeMap<String, BTreeSet<String>>,
    pub(super) types: BTreeMap<String, String>,
}

pub(super) fn parse_exposition(text: &str) -> Exported {
    let mut exported = Exported::default();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut words = rest.split_whitespace();
            if let (Some(name), Some(kind)) = (words.next(), words.next()) {
                exported.types.insert(name.to_owned(), kind.to_owned());
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let end = line.find(['{', ' ']).unwrap_or(line.len());
        let labels = exported.series.entry(line[..end].to_owned()).or_default();
        if line[end..].starts_with('{') {
            labels.extend(label_names(&line[end + 1..]));
        }
    }
    exported
}

/// The label names of `a="x",b="y\"z"} 1`.
fn label_names(mut rest: &str) -> Vec<String> {
    let mut names = Vec::new();
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq].trim_start_matches([',', ' ']).trim();
        if name.starts_with('}') {
            break;
        }
        names.push(name.to_owned());
        // Skip the quoted value, escapes included.
        let mut chars = rest[eq + 1..].char_indices().skip(1);
        let mut close = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    close = Some(eq + 1 + i + 1);
                    break;
                }
                _ => {}
            }
        }
        let Some(close) = close else { break };
        rest = &rest[close..];
        if rest.trim_start().starts_with('}') {
            break;
        }
    }
    names
}

/// The metric names and label names one PromQL expression uses.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Uses {
    pub(super) metrics: Vec<String>,
    pub(super) labels: Vec<String>,
}

/// Words of PromQL that are neither metrics nor labels when no `(` follows.
const KEYWORDS: [&str; 10] = [
    "sum", "min", "max", "avg", "count", "bool", "and", "or", "unless", "offset",
];
/// Words followed by a parenthesised list of label names.
const GROUPING: [&str; 6] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// A small PromQL scanner, enough for dashboard queries: it skips strings,
/// range selectors, numbers and Grafana's `$variables`, takes identifiers
/// inside `{}` and grouping lists as labels, identifiers before `(` as
/// functions, and every other identifier as a metric name.
pub(super) fn analyse(expr: &str) -> Uses {
    let chars: Vec<char> = expr.chars().collect();
    let mut uses = Uses::default();
    let mut in_braces = false;
    let mut i = 0;
    let next_non_space = |from: usize| chars[from..].iter().copied().find(|c| !c.is_whitespace());
    let read_ident = |from: usize| {
        let end = (from..chars.len())
            .find(|&j| !is_ident(chars[j]))
            .unwrap_or(chars.len());
        (chars[from..end].iter().collect::<String>(), end)
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' | '`' => {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            }
            '[' => {
                i = (i..chars.len())
                    .find(|&j| chars[j] == ']')
                    .map_or(chars.len(), |j| j + 1)
            }
            '$' => {
                i += 1;
                if chars.get(i) == Some(&'{') {
                    i = (i..chars.len())
                        .find(|&j| chars[j] == '}')
                        .map_or(chars.len(), |j| j + 1);
                } else {
                    i = read_ident(i).1;
                }
            }
            '{' => {
                in_braces = true;
                i += 1;
            }
            '}' => {
                in_braces = false;
                i += 1;
            }
            c if c.is_ascii_digit()
                || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                while i < chars.len() && (is_ident(chars[i]) || chars[i] == '.') {
                    i += 1;
                }
            }
            c if is_ident_start(c) => {
                let (word, end) = read_ident(i);
                i = end;
                if in_braces {
                    uses.labels.push(word);
                } else if GROUPING.contains(&word.as_str()) {
                    let open = (i..chars.len()).find(|&j| chars[j] == '(');
                    let close = open.and_then(|o| (o..chars.len()).find(|&j| chars[j] == ')'));
                    if let (Some(open), Some(close)) = (open, close) {
                        let list: String = chars[open + 1..close].iter().collect();
                        uses.labels.extend(
                            list.split(',')
                                .map(str::trim)
                                .filter(|l| !l.is_empty())
                                .map(str::to_owned),
                        );
                        i = close + 1;
                    }
                } else if next_non_space(i) != Some('(') && !KEYWORDS.contains(&word.as_str()) {
                    uses.metrics.push(word);
                }
            }
            _ => i += 1,
        }
    }
    uses
}

/// What is wrong with one expression against what the server exports.
pub(super) fn problems(expr: &str, exported: &Exported) -> Vec<String> {
    let uses = analyse(expr);
    let mut problems = Vec::new();
    if uses.metrics.is_empty() {
        problems.push(format!("no metric found in `{expr}`"));
    }
    let mut known_labels: BTreeSet<String> =
        SCRAPE_LABELS.iter().map(|l| (*l).to_owned()).collect();
    for metric in &uses.metrics {
        let Some(labels) = exported.series.get(metric) else {
            problems.push(format!(
                "`{metric}` is not a series the server exports (in `{expr}`)"
            ));
            continue;
        };
        known_labels.extend(labels.iter().cloned());
        // A histogram's parts must come from a histogram, and are the only
        // way to query one: its family name is no series.
        for suffix in ["_bucket", "_sum", "_count"] {
            if let Some(family) = metric.strip_suffix(suffix) {
                let kind = exported.types.get(family).map(String::as_str);
                let fits =
                    kind == Some("histogram") || (suffix != "_bucket" && kind == Some("summary"));
                if !fits && !exported.types.contains_key(metric) {
                    problems.push(format!(
                        "`{metric}`: `{family}` is not a histogram (TYPE {kind:?})"
                    ));
                }
            }
        }
    }
    for label in &uses.labels {
        if !known_labels.contains(label) {
            problems.push(format!(
                "label `{label}` is on none of {:?} (in `{expr}`)",
                uses.metrics
            ));
        }
    }
    problems
}

#[test]
fn the_scanner_finds_metrics_and_labels() {
    let uses = analyse(
        r#"histogram_quantile(0.95, sum by (le, operation) (rate(a_bucket{instance=~"$instance",x!="}"}[$__rate_interval]))) / ignoring(le) b_total offset 5m"#,
    );
    assert_eq!(uses.metrics, ["a_bucket", "b_total"]);
    assert_eq!(uses.labels, ["le", "operation", "instance", "x", "le"]);
    let exported = parse_exposition(
        "# TYPE h histogram\nh_bucket{le=\"0.5\",op=\"a\\\"b,c=d\"} 1\nh_sum 2\nh_count{op=\"a\"} 1\n# TYPE g gauge\ng 1\n",
    );
    assert_eq!(
        exported.series["h_bucket"],
        BTreeSet::from(["le".to_owned(), "op".to_owned()])
    );
    assert!(problems("sum by (op) (rate(h_bucket[5m]))", &exported).is_empty());
    assert_eq!(
        problems("rate(h[5m])", &exported).len(),
        1,
        "a histogram's family is no series"
    );
    assert_eq!(
        problems("g{nope=\"1\"}", &exported).len(),
        1,
        "unknown label"
    );
    assert_eq!(problems("g_count", &exported).len(), 1, "unknown series");
}
