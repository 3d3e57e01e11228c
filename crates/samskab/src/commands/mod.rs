//! One file per subcommand (`samskab analyse` has its own folder); each reads its arguments
//! from `cli` and reports in the operator's language.

pub mod database;
pub mod import;
pub mod report;
pub mod serve;
pub mod token;
pub mod user;
