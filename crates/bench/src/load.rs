//! The load generator: `concurrency` simulated clients run a scenario's iterations in a closed
//! loop, or at a fixed arrival rate (each iteration has a scheduled start; its latency counts from
//! then, so a server that falls behind shows it instead of slowing the load down). A warm-up runs
//! first; the iterations that complete inside the measured window count.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Result;
use tokio::time::Instant;

use crate::http::{Session, Target};
use crate::scenarios::{Scenario, WorkerState};
use crate::stats::{Latencies, Measurement};

/// How the load is applied.
#[derive(Debug, Clone, Copy)]
pub struct LoadShape {
    pub concurrency: usize,
    /// Iterations per second across all clients; `None` for a closed loop (as fast as answered).
    pub rate: Option<f64>,
    pub warmup: Duration,
    pub measure: Duration,
}

/// What one client saw in the window.
#[derive(Debug, Default)]
struct WorkerResult {
    latencies: Latencies,
    requests: u64,
    errors: u64,
    error_samples: Vec<String>,
}

/// Runs `scenario` against `target` with `shape`; `states` holds one state per client.
pub async fn run(
    target: Arc<Target>,
    scenario: Arc<Scenario>,
    states: Vec<WorkerState>,
    shape: LoadShape,
) -> Result<Measurement> {
    let start = Instant::now();
    let measure_from = start + shape.warmup;
    let end = measure_from + shape.measure;
    let next_slot = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for state in states.into_iter().take(shape.concurrency.max(1)) {
        let (target, scenario, next_slot) = (target.clone(), scenario.clone(), next_slot.clone());
        workers.push(tokio::spawn(async move {
            worker(
                target,
                scenario,
                state,
                shape,
                next_slot,
                (start, measure_from, end),
            )
            .await
        }));
    }
    let mut total = WorkerResult::default();
    for w in workers {
        let r = w.await?;
        total.latencies.merge(&r.latencies);
        total.requests += r.requests;
        total.errors += r.errors;
        for e in r.error_samples {
            if total.error_samples.len() < 5 && !total.error_samples.contains(&e) {
                total.error_samples.push(e);
            }
        }
    }
    let mut m = Measurement::new(
        &total.latencies,
        total.requests,
        total.errors,
        shape.measure,
    );
    m.error_samples = total.error_samples;
    Ok(m)
}

async fn worker(
    target: Arc<Target>,
    scenario: Arc<Scenario>,
    mut state: WorkerState,
    shape: LoadShape,
    next_slot: Arc<AtomicU64>,
    (start, measure_from, end): (Instant, Instant, Instant),
) -> WorkerResult {
    let mut session = Session::new(target);
    let mut out = WorkerResult::default();
    loop {
        let scheduled = match shape.rate {
            Some(rate) => {
                let slot = next_slot.fetch_add(1, Ordering::Relaxed);
                let at = start + Duration::from_secs_f64(slot as f64 / rate);
                if at >= end {
                    break;
                }
                tokio::time::sleep_until(at).await;
                at
            }
            None => Instant::now(),
        };
        if scheduled >= end {
            break;
        }
        let result = scenario.iteration(&mut session, &mut state).await;
        let finished = Instant::now();
        let requests = session.take_requests();
        // Completions in the window count: in a steady state that is the throughput.
        let counted = finished >= measure_from && finished <= end;
        match result {
            Ok(()) => {
                session.end_iteration();
                if counted {
                    out.latencies.record(finished - scheduled);
                    out.requests += requests;
                }
            }
            Err(e) => {
                session.reset();
                if counted {
                    out.errors += 1;
                    out.requests += requests;
                    let e = format!("{e:#}");
                    if out.error_samples.len() < 5 && !out.error_samples.contains(&e) {
                        out.error_samples.push(e);
                    }
                }
            }
        }
        if finished >= end {
            break;
        }
    }
    out
}
