//! `parked`: many claims waiting at once on an empty queue.

use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::{Value, json};

use crate::gql::{Gql, agent_and_goal, claim};
use crate::system::{PgStats, rss_kib};

#[derive(Clone, Copy)]
pub(crate) struct Timing {
    pub(crate) wait: u64,
    pub(crate) settle: u64,
    pub(crate) window: u64,
}

/// Transactions over a window that starts after `settle` seconds.
async fn window_transactions(
    stats: Option<&PgStats>,
    timing: Timing,
) -> anyhow::Result<Option<u64>> {
    let Some(stats) = stats else {
        return Ok(None);
    };
    tokio::time::sleep(Duration::from_secs(timing.settle)).await;
    let before = stats.transactions().await?;
    tokio::time::sleep(Duration::from_secs(timing.window)).await;
    Ok(Some(stats.transactions().await?.saturating_sub(before)))
}

pub(crate) async fn parked(
    gql: &Gql,
    count: usize,
    pid: u32,
    stats: Option<PgStats>,
    timing: Timing,
) -> anyhow::Result<Value> {
    if timing.settle + timing.window + 2 >= timing.wait {
        bail!("the window must close before the claims' wait ends");
    }
    let (agent, _) = agent_and_goal(gql).await?;
    let idle = json!({ "agentId": agent, "limit": 1 });
    for _ in 0..10 {
        if !claim(gql, idle.clone()).await?.is_empty() {
            bail!("the queue is not empty");
        }
    }
    let idle_transactions = window_transactions(stats.as_ref(), timing).await?;
    let rss_before = rss_kib(pid)?;
    let input = json!({ "agentId": agent, "limit": 1, "waitSeconds": timing.wait });
    let opened = Instant::now();
    let claims: Vec<_> = (0..count)
        .map(|_| {
            let (gql, input) = (gql.clone(), input.clone());
            tokio::spawn(async move {
                let started = Instant::now();
                let leases = claim(&gql, input).await;
                (leases.map(|l| l.len()), started.elapsed())
            })
        })
        .collect();
    // Sampled through the settle and the window: the peak includes the
    // burst of 1,000 requests arriving; the last sample is them parked.
    let sampler = tokio::spawn(async move {
        let (mut peak, mut last) = (0, 0);
        while opened.elapsed() < Duration::from_secs(timing.settle + timing.window) {
            last = rss_kib(pid).unwrap_or(0);
            peak = peak.max(last);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        (peak, last)
    });
    let parked_transactions = window_transactions(stats.as_ref(), timing).await?;
    let (rss_peak, rss_parked) = sampler.await?;
    let (mut answered, mut errors, mut first_error, mut shortest) = (0, 0, None, f64::MAX);
    for handle in claims {
        let (leases, waited) = handle.await?;
        shortest = shortest.min(waited.as_secs_f64());
        match leases {
            Ok(0) => answered += 1,
            Ok(n) => bail!("a parked claim on an empty queue got {n} tasks"),
            Err(err) => {
                errors += 1;
                first_error.get_or_insert_with(|| format!("{err:#}"));
            }
        }
    }
    let per_claim = rss_parked.saturating_sub(rss_before) as f64 / count as f64;
    Ok(json!({
        "count": count, "rssBeforeKib": rss_before, "rssParkedKib": rss_parked, "rssPeakKib": rss_peak,
        "kibPerClaim": (per_claim * 10.0).round() / 10.0,
        "windowSeconds": timing.window, "idleTransactions": idle_transactions,
        "parkedTransactions": parked_transactions, "emptyAnswers": answered,
        "shortestWaitSeconds": shortest, "errors": errors, "firstError": first_error,
    }))
}
