//! Samskab's analysis engines: pure computation on data handed to them, no I/O.
//!
//! - [`opinions`]: opinion groups the Pol.is way (vote matrix, PCA, clustering,
//!   representative statements, consensus).
//! - [`groups`]: cohorts, learning groups and buddy pairs across units and roles.
//! - [`themes`]: themes in Danish free text (TF-IDF, spherical k-means, pins).
//! - [`measures`]: instruments as data, scoring, reliable change, validity flags and an
//!   open expected-response model.
//! - [`suppression`]: which figures of a table may be shown so that nothing about fewer
//!   than k people can be worked out (primary and secondary suppression).
//! - [`metrics`]: agreement between partitions (ARI, NMI), for tests and benchmarks.
//! - [`linalg`]: the eigen-solvers the engines share; [`rng`]: their seeded generator.

pub mod groups;
pub mod linalg;
pub mod measures;
pub mod metrics;
pub mod opinions;
pub mod rng;
pub mod suppression;
pub mod themes;
