//! `bench-chart TABLE.tsv CHART.svg`: draws one benchmark table (format in
//! `loadtest::bench`) as an SVG chart; `bench/charts.sh` runs it over a
//! results folder.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;

/// Draws a benchmark table as an SVG chart: throughput and latency per target.
#[derive(Debug, Parser)]
#[command(name = "bench-chart", version, about)]
struct Args {
    /// The table: tab-separated, a header line, `# title:` optional.
    table: PathBuf,
    /// The SVG file to write.
    chart: PathBuf,
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench-chart: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.table)
        .with_context(|| format!("cannot read {}", args.table.display()))?;
    let table = loadtest::bench::parse(&text)
        .with_context(|| format!("{} is not a benchmark table", args.table.display()))?;
    let svg = loadtest::bench::render(&table)?;
    std::fs::write(&args.chart, svg)
        .with_context(|| format!("cannot write {}", args.chart.display()))
}
