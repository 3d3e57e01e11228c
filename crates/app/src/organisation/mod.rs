//! The organisation: units (a tree), people, engagements and manager posts; imports from
//! the Kolding CSV, OS2mo JSON and Samskab CSV; the span-of-control report; and the demo
//! municipality.
//!
//! - [`model`]: records and view types.
//! - [`import`]: readers that turn files into an [`model::OrgSnapshot`].
//! - [`store`]: applies snapshots (one transaction) and answers queries.
//! - [`span`]: the pure tree index and span-of-control computation.
//! - [`demo`]: the deterministic demo municipality "Samby Kommune".
//! - [`view`]: the in-memory view of the current organisation the pages read.
//! - [`routes`]: the pages and exports.

pub mod demo;
pub mod import;
pub mod model;
pub mod routes;
pub mod span;
pub mod store;
pub mod view;
