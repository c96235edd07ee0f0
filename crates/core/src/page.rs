//! Keyset pagination: every list is bounded by `first` and continues after a key.

use crate::error::{Error, Result};

pub const MAX_PAGE_SIZE: u32 = 100;
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// A validated page request. `after` is the raw sort key of the last row of the previous
/// page; the API layer wraps it in a signed, opaque cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub first: u32,
    pub after: Option<String>,
}

impl PageRequest {
    pub fn new(first: Option<i32>, after: Option<String>) -> Result<Self> {
        let first = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n >= 1 && n as u32 <= MAX_PAGE_SIZE => n as u32,
            Some(_) => {
                return Err(Error::bad_input(
                    "first",
                    format!("must be between 1 and {MAX_PAGE_SIZE}"),
                ));
            }
        };
        Ok(PageRequest { first, after })
    }
    pub fn first(n: u32) -> Self {
        PageRequest {
            first: n.clamp(1, MAX_PAGE_SIZE),
            after: None,
        }
    }
}

/// One page of rows, each with its sort key, and whether more follow.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<(String, T)>,
    pub has_next: bool,
}

impl<T> Page<T> {
    /// Builds a page from up to `first + 1` rows fetched in key order.
    pub fn from_rows(mut rows: Vec<(String, T)>, first: u32) -> Self {
        let has_next = rows.len() > first as usize;
        rows.truncate(first as usize);
        Page {
            items: rows,
            has_next,
        }
    }
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(|(k, v)| (k, f(v))).collect(),
            has_next: self.has_next,
        }
    }
}

/// Encodes an integer key so that string order is numeric order (for position keys).
pub fn int_key(n: i64) -> String {
    format!("{:020}", n.max(0))
}
