//! Benchmark tables as charts: `bench/run.sh` writes one tab-separated
//! table per part (load test, oha, keyset), and [`render`] draws it as one
//! SVG with two panels, throughput per target and latency per target.
//!
//! The table's format:
//!
//! ```text
//! # title: oha, 15 s per run
//! target<TAB>req/s<TAB>p50 ms<TAB>p95 ms<TAB>p99 ms
//! SQLite Q1 @20<TAB>11655<TAB>1.62<TAB>2.82<TAB>3.69
//! ```
//!
//! The second column is the throughput, in the unit its header names; the
//! columns after it are latencies in milliseconds, one bar each. A value
//! that is not a number (`n/a`: a run that failed) leaves its bar out.

use anyhow::{Context as _, bail};

use crate::chart::{self, Group, Panel};

/// A parsed table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    /// The headers after the first.
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<f64>)>,
}

pub fn parse(text: &str) -> anyhow::Result<Table> {
    let mut title = String::new();
    let mut lines = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(value) = comment.trim().strip_prefix("title:") {
                value.trim().clone_into(&mut title);
            }
        } else {
            lines.push(line);
        }
    }
    let Some((header, body)) = lines.split_first() else {
        bail!("the table has no header line");
    };
    let columns: Vec<String> = header
        .split('\t')
        .skip(1)
        .map(|c| c.trim().to_owned())
        .collect();
    if columns.is_empty() {
        bail!("the header names no value column: {header:?}");
    }
    let rows = body
        .iter()
        .enumerate()
        .map(|(number, line)| {
            let mut cells = line.split('\t');
            let name = cells.next().unwrap_or_default().trim().to_owned();
            let values: Vec<f64> = cells
                .map(|cell| cell.trim().replace(',', "").parse().unwrap_or(f64::NAN))
                .collect();
            if values.len() != columns.len() {
                bail!(
                    "line {}: {} values for {} columns",
                    number + 2,
                    values.len(),
                    columns.len()
                );
            }
            Ok((name, values))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Table {
        title,
        columns,
        rows,
    })
}

/// The table as an SVG: throughput on the left, latencies on the right.
pub fn render(table: &Table) -> anyhow::Result<String> {
    let throughput = Panel {
        title: "Throughput".to_owned(),
        unit: table.columns[0].clone(),
        series: vec![table.columns[0].clone()],
        groups: table
            .rows
            .iter()
            .map(|(name, values)| Group {
                name: name.clone(),
                values: vec![values[0]],
            })
            .collect(),
    };
    let mut panels = vec![throughput];
    if table.columns.len() > 1 {
        panels.push(Panel {
            title: "Latency".to_owned(),
            unit: "ms".to_owned(),
            series: table.columns[1..]
                .iter()
                .map(|c| c.trim_end_matches(" ms").to_owned())
                .collect(),
            groups: table
                .rows
                .iter()
                .map(|(name, values)| Group {
                    name: name.clone(),
                    values: values[1..].to_vec(),
                })
                .collect(),
        });
    }
    chart::bars(&table.title, &panels).context("cannot draw the chart")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "# title: oha\n\
        target\treq/s\tp50 ms\tp95 ms\n\
        SQLite Q1 @20\t11,655\t1.62\t2.82\n\
        PostgreSQL Q1 @20\tn/a\tn/a\tn/a\n";

    #[test]
    fn a_table_parses_with_its_title_and_gaps() {
        let table = parse(TABLE).expect("table");
        assert_eq!(table.title, "oha");
        assert_eq!(table.columns, ["req/s", "p50 ms", "p95 ms"]);
        assert_eq!(table.rows[0].1, [11_655.0, 1.62, 2.82]);
        assert!(table.rows[1].1.iter().all(|v| v.is_nan()));
        assert!(
            parse("target\treq/s\nQ1\t1\t2\n").is_err(),
            "a row too long"
        );
        assert!(parse("# title: x\n").is_err(), "no header");
    }

    #[test]
    fn a_table_draws_both_panels() {
        let svg = render(&parse(TABLE).expect("table")).expect("svg");
        for text in [
            "Throughput (req/s)",
            "Latency (ms)",
            "SQLite Q1 @20",
            "11.7k",
            "2.8",
            "p95",
        ] {
            assert!(svg.lines().any(|l| l == text), "{text} missing");
        }
    }
}
