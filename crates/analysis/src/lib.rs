//! Samskab analysis engines.
