//! gatehouse-bench: the benchmark suite. A load generator over HTTPS (HTTP/1.1 or HTTP/2,
//! keep-alive or new connections, closed loop or fixed arrival rate, hdrhistogram latencies),
//! the server under test and its peer in separate processes pinned with `taskset`, ceilings
//! measured with the server's own code on the same core, named scenarios, and reports (JSON and
//! Markdown) with targets and regressions. `gatehouse-bench run --help` shows how to use it.

pub mod ceilings;
pub mod directory;
pub mod http;
pub mod load;
pub mod peer;
pub mod process;
pub mod provision;
pub mod report;
pub mod runner;
pub mod scenarios;
pub mod seed;
pub mod seed_data;
pub mod stats;
pub mod targets;
