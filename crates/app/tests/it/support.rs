//! The harness is the shared test kit (crates/testkit), also used by the command line's
//! tests; the modules here import it through `crate::support` and `crate::db_test`.

pub use testkit::*;
