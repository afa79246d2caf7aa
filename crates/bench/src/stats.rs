//! Latency histograms (hdrhistogram, microseconds) and what a measurement reports from them.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Latencies up to one minute, three significant digits.
const HIGHEST_US: u64 = 60_000_000;

/// A latency histogram in microseconds.
#[derive(Debug, Clone)]
pub struct Latencies(Histogram<u64>);

impl Default for Latencies {
    fn default() -> Self {
        Self(Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("valid histogram bounds"))
    }
}

impl Latencies {
    /// Records one latency (clamped to the histogram's range).
    pub fn record(&mut self, latency: Duration) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.0.saturating_record(us.clamp(1, HIGHEST_US));
    }

    pub fn merge(&mut self, other: &Latencies) {
        self.0
            .add(&other.0)
            .expect("histograms with the same bounds always merge");
    }

    pub fn len(&self) -> u64 {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// p50/p90/p99/max and the mean, in milliseconds.
    pub fn summary(&self) -> LatencySummary {
        let ms = |us: u64| us as f64 / 1000.0;
        LatencySummary {
            p50_ms: ms(self.0.value_at_quantile(0.50)),
            p90_ms: ms(self.0.value_at_quantile(0.90)),
            p99_ms: ms(self.0.value_at_quantile(0.99)),
            max_ms: ms(self.0.max()),
            mean_ms: self.0.mean() / 1000.0,
        }
    }
}

/// Latency percentiles in milliseconds (0 when nothing was recorded).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// What one measured steady state produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Completed iterations (a scenario's unit: one token, one sign-in flow) in the window.
    pub iterations: u64,
    /// HTTP requests those iterations made.
    pub requests: u64,
    /// Iterations that failed in the window (not counted in `iterations`).
    pub errors: u64,
    /// The measured window, seconds.
    pub seconds: f64,
    /// Completed iterations per second.
    pub throughput: f64,
    pub latency: LatencySummary,
    /// The server process's CPU use in the window, in cores (1.0 = one core busy), when known.
    pub server_cpu_cores: Option<f64>,
    /// A few distinct error messages, for the report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_samples: Vec<String>,
}

impl Measurement {
    pub fn new(latencies: &Latencies, requests: u64, errors: u64, window: Duration) -> Self {
        let seconds = window.as_secs_f64();
        let iterations = latencies.len();
        Self {
            iterations,
            requests,
            errors,
            seconds,
            throughput: if seconds > 0.0 {
                iterations as f64 / seconds
            } else {
                0.0
            },
            latency: latencies.summary(),
            server_cpu_cores: None,
            error_samples: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_recorded_latencies() {
        let mut l = Latencies::default();
        for ms in 1..=100u64 {
            l.record(Duration::from_millis(ms));
        }
        let s = l.summary();
        // Three significant digits: within 0.1%.
        let close = |a: f64, b: f64| (a - b).abs() <= b * 0.001 + 1e-9;
        assert!(close(s.p50_ms, 50.0), "{s:?}");
        assert!(close(s.p90_ms, 90.0), "{s:?}");
        assert!(close(s.p99_ms, 99.0), "{s:?}");
        assert!(close(s.max_ms, 100.0), "{s:?}");
        assert!(close(s.mean_ms, 50.5), "{s:?}");
    }

    #[test]
    fn merged_histograms_count_everything_and_out_of_range_values_are_clamped() {
        let (mut a, mut b) = (Latencies::default(), Latencies::default());
        a.record(Duration::from_micros(0));
        b.record(Duration::from_secs(3600));
        b.record(Duration::from_millis(2));
        a.merge(&b);
        assert_eq!(a.len(), 3);
        assert!((a.summary().max_ms - 60_000.0).abs() < 60.0);
    }

    #[test]
    fn throughput_is_iterations_over_the_window() {
        let mut l = Latencies::default();
        for _ in 0..500 {
            l.record(Duration::from_millis(1));
        }
        let m = Measurement::new(&l, 1000, 3, Duration::from_secs(2));
        assert_eq!((m.iterations, m.requests, m.errors), (500, 1000, 3));
        assert!((m.throughput - 250.0).abs() < 1e-9);
        let empty = Measurement::new(&Latencies::default(), 0, 0, Duration::ZERO);
        assert_eq!(empty.throughput, 0.0);
    }
}
