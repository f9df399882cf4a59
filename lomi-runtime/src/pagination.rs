//! Auto-pagination for lomi.'s lists.
//!
//! Every list operation in the spec that takes `limit` and `offset`, or `page` and a page
//! size (`pageSize`…), as integers or numbers, and answers its items as a bare array or
//! in an envelope's array (with the list's total in `pagination`, at the top level, or
//! nowhere) gets a generated `stream()` that walks the pages with these helpers.
//!
//! Only generated code calls the helpers, and a spec without such a list calls none: each
//! helper says so where it allows being unused.

use std::collections::VecDeque;
use std::future::Future;

use futures_util::StreamExt;
use futures_util::stream::{self, BoxStream};

use crate::Error;

/// Every item of a list, fetched page by page as the stream is polled.
///
/// Use it with [`futures_util::TryStreamExt`] (re-exported in each client's `prelude`):
/// `try_next()`, `try_collect()`, `take(n)`…
pub type ItemStream<'a, T> = BoxStream<'a, Result<T, Error>>;

/// One fetched page.
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// `pagination.total`: how many items the list has in all.
    pub total: Option<u64>,
    /// `pagination.limit`: the page size the server used.
    pub limit: Option<u64>,
}

/// A count or offset as the generated types hold it.
pub trait Count {
    /// The value, if it is a non-negative number.
    fn count(self) -> Option<u64>;
}

macro_rules! count {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn count(self) -> Option<u64> {
                u64::try_from(self).ok()
            }
        }
    )*};
}
count!(u64, u32, i64, i32, std::num::NonZeroU64);

/// A `number`-typed count: a whole, non-negative, finite value.
impl Count for f64 {
    fn count(self) -> Option<u64> {
        let whole = self.is_finite() && self >= 0.0 && self.fract() == 0.0;
        // `u64::MAX as f64` rounds up to 2^64, which is not a u64.
        (whole && self < u64::MAX as f64).then_some(self as u64)
    }
}

impl<C: Count> Count for Option<C> {
    fn count(self) -> Option<u64> {
        self.and_then(C::count)
    }
}

/// `value` as a count.
pub fn count<C: Count>(value: C) -> Option<u64> {
    value.count()
}

/// Where the walk starts: the builder's `offset`, or 0.
pub fn start_offset<C: Count + Clone>(offset: &Option<C>) -> u64 {
    offset.clone().and_then(C::count).unwrap_or(0)
}

/// The page a page-number walk starts at: the builder's `page`, or the list's `first`.
pub fn start_page<C: Count + Clone>(page: &Option<C>, first: u64) -> u64 {
    page.clone().and_then(C::count).unwrap_or(first).max(first)
}

/// The page size a stream asks for: the builder's `limit` (set by its setter `field`),
/// or `fallback` (the spec's default) when it set none. The second value says whether
/// the stream must set it on each page's request (it leaves a refused `limit` alone, for
/// `send()` to report).
pub fn page_size<C: Count + Clone>(
    limit: &Option<C>,
    refusals: &crate::arg::Refusals,
    field: &str,
    fallback: u64,
) -> (u64, bool) {
    if refusals.iter().any(|(f, _)| *f == field) {
        return (fallback, false);
    }
    match limit.clone().and_then(C::count) {
        Some(n) => (n, false),
        None => (fallback, true),
    }
}

struct Walk<F, T> {
    fetch: F,
    /// What the next request asks for: an offset, or a page number.
    at: u64,
    /// Whether `at` is a page number (advanced by one a page) rather than an offset
    /// (advanced by the items a page held).
    by_page: bool,
    /// How many items precede the next page, for the total.
    seen: u64,
    /// The page size the stream asked for.
    size: u64,
    /// Whether a page shorter than `size` is the last (the server documents taking
    /// `size`); otherwise only an empty page, or the total, ends the walk.
    short_page_ends: bool,
    buffer: VecDeque<T>,
    /// The first item of the last page and where it was asked for: a server that
    /// ignores `offset` (or `page`) answers the same page again, and the walk must not
    /// loop.
    previous: Option<(u64, T)>,
    done: bool,
}

/// Streams the items of the pages `fetch(offset)` returns, from `start`, asking for
/// `size` items a page, until the offset reaches `total`, a page is empty, or a page is
/// short: fewer items than the page size the server reports, or (when it reports none
/// and `short_page_ends`, i.e. the spec documents `size` as a limit it takes) than
/// `size`. A page whose first item is the previous page's first item means the server
/// ignores `offset`: the stream ends with an error rather than loop.
pub fn offset_stream<'a, T, F, Fut>(
    start: u64,
    size: u64,
    short_page_ends: bool,
    fetch: F,
) -> ItemStream<'a, T>
where
    T: Clone + PartialEq + Send + 'a,
    F: FnMut(u64) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'a,
{
    walk(
        Walk {
            fetch,
            at: start,
            by_page: false,
            seen: start,
            size: size.max(1),
            short_page_ends,
            buffer: VecDeque::new(),
            previous: None,
            done: false,
        },
        "offset",
    )
}

/// Streams the items of the pages `fetch(page)` returns, for a list numbered by pages
/// (`page` and `pageSize`): from page `start` (the list's first page is `first`, 1 for
/// lomi.), one page after another, asking for `size` items a page, until the items
/// reach `total`, a page is empty, or a page is short (as in [`offset_stream`]). A page
/// that starts like the previous one means the server ignores the page number: the
/// stream ends with an error rather than loop.
pub fn page_number_stream<'a, T, F, Fut>(
    start: u64,
    first: u64,
    size: u64,
    short_page_ends: bool,
    fetch: F,
) -> ItemStream<'a, T>
where
    T: Clone + PartialEq + Send + 'a,
    F: FnMut(u64) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'a,
{
    let size = size.max(1);
    let start = start.max(first);
    walk(
        Walk {
            fetch,
            at: start,
            by_page: true,
            seen: (start - first).saturating_mul(size),
            size,
            short_page_ends,
            buffer: VecDeque::new(),
            previous: None,
            done: false,
        },
        "page",
    )
}

/// The walk both kinds of list share; `position` names what `fetch` takes, for the
/// error of a server that ignores it.
fn walk<'a, T, F, Fut>(walk: Walk<F, T>, position: &'static str) -> ItemStream<'a, T>
where
    T: Clone + PartialEq + Send + 'a,
    F: FnMut(u64) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'a,
{
    stream::unfold(walk, move |mut walk| async move {
        loop {
            if let Some(item) = walk.buffer.pop_front() {
                return Some((Ok(item), walk));
            }
            if walk.done {
                return None;
            }
            match (walk.fetch)(walk.at).await {
                Ok(page) => {
                    let asked_at = walk.at;
                    if let (Some((before, first)), Some(now)) = (&walk.previous, page.items.first())
                        && first == now
                    {
                        walk.done = true;
                        return Some((Err(repeated_page(position, *before, asked_at)), walk));
                    }
                    let got = page.items.len() as u64;
                    let short = match page.limit.filter(|&l| l > 0) {
                        Some(reported) => got < reported,
                        None => walk.short_page_ends && got < walk.size,
                    };
                    walk.at = walk.at.saturating_add(if walk.by_page { 1 } else { got });
                    walk.seen = walk.seen.saturating_add(got);
                    walk.done =
                        got == 0 || short || page.total.is_some_and(|total| walk.seen >= total);
                    walk.previous = page.items.first().cloned().map(|first| (asked_at, first));
                    walk.buffer = page.items.into();
                }
                Err(e) => {
                    walk.done = true;
                    return Some((Err(e), walk));
                }
            }
        }
    })
    .boxed()
}

/// The error that ends a stream over a server that ignores `offset` (or `page`).
fn repeated_page(position: &str, before: u64, now: u64) -> Error {
    Error::Decode(Box::new(crate::DecodeError {
        operation: "stream",
        status: reqwest::StatusCode::OK,
        request_id: None,
        reason: format!(
            "the page at {position} {now} starts with the same item as the page at \
             {position} {before}: the server ignores `{position}`, so the stream stops \
             instead of looping"
        ),
        body_excerpt: String::new(),
    }))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use futures_util::TryStreamExt;

    use super::*;

    fn pages(
        total: Option<u64>,
        size: u64,
        len: u64,
    ) -> (ItemStream<'static, u64>, Arc<Mutex<Vec<u64>>>) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        let stream = offset_stream(0, size, true, move |offset| {
            log.lock().unwrap().push(offset);
            async move {
                let end = (offset + size).min(len);
                Ok(Page {
                    items: (offset..end).collect(),
                    total,
                    limit: Some(size),
                })
            }
        });
        (stream, asked)
    }

    #[tokio::test]
    async fn without_pagination_a_short_page_ends_the_walk() {
        // No `pagination` at all (lomi.'s `meta` envelope): the size asked for decides.
        let stream = offset_stream(0, 20, true, |offset| async move {
            Ok(Page {
                items: (offset..(offset + 20).min(45)).collect::<Vec<u64>>(),
                total: None,
                limit: None,
            })
        });
        assert_eq!(stream.try_collect::<Vec<_>>().await.unwrap().len(), 45);
    }

    /// A bare-array list whose `limit` has no documented maximum: the server may cap the
    /// page below the size asked for, so a short page is not the end; an empty one is.
    #[tokio::test]
    async fn past_the_documented_limit_only_an_empty_page_ends_the_walk() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        // The server caps every page at 10 whatever the stream asks (here 50).
        let stream = offset_stream(0, 50, false, move |offset| {
            log.lock().unwrap().push(offset);
            async move {
                Ok(Page {
                    items: (offset..(offset + 10).min(25)).collect::<Vec<u64>>(),
                    total: None,
                    limit: None,
                })
            }
        });
        assert_eq!(
            stream.try_collect::<Vec<_>>().await.unwrap(),
            (0..25).collect::<Vec<_>>()
        );
        assert_eq!(*asked.lock().unwrap(), [0, 10, 20, 25]);
    }

    #[tokio::test]
    async fn a_server_that_ignores_the_offset_ends_in_an_error_not_a_loop() {
        let asked = Arc::new(Mutex::new(0));
        let count = asked.clone();
        let stream = offset_stream(0, 2, true, move |_offset| {
            *count.lock().unwrap() += 1;
            async move {
                Ok(Page {
                    items: vec![1_u64, 2],
                    total: Some(10),
                    limit: Some(2),
                })
            }
        });
        let got: Vec<Result<u64, Error>> = stream.collect().await;
        assert_eq!(got.len(), 3);
        let e = got[2].as_ref().unwrap_err();
        assert!(e.to_string().contains("ignores `offset`"), "{e}");
        assert_eq!(*asked.lock().unwrap(), 2);
    }

    /// `/customers`: pages numbered from 1, `pageSize` items each, the total reported.
    #[tokio::test]
    async fn a_page_number_walk_asks_page_after_page_until_the_total() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        let stream = page_number_stream(1, 1, 20, true, move |page| {
            log.lock().unwrap().push(page);
            async move {
                let from = (page - 1) * 20;
                Ok(Page {
                    items: (from..(from + 20).min(45)).collect::<Vec<u64>>(),
                    total: Some(45),
                    limit: Some(20),
                })
            }
        });
        assert_eq!(
            stream.try_collect::<Vec<_>>().await.unwrap(),
            (0..45).collect::<Vec<_>>()
        );
        assert_eq!(*asked.lock().unwrap(), [1, 2, 3]);
    }

    /// A server capping the page below the size asked for: the next page number follows
    /// all the same (an offset walk would skip by the items got).
    #[tokio::test]
    async fn a_page_number_walk_from_a_later_page_advances_by_one_and_ends_on_empty() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        let stream = page_number_stream(2, 1, 50, false, move |page| {
            log.lock().unwrap().push(page);
            async move {
                let from = (page - 1) * 10;
                Ok(Page {
                    items: (from..(from + 10).min(35)).collect::<Vec<u64>>(),
                    total: None,
                    limit: None,
                })
            }
        });
        assert_eq!(
            stream.try_collect::<Vec<_>>().await.unwrap(),
            (10..35).collect::<Vec<_>>()
        );
        assert_eq!(*asked.lock().unwrap(), [2, 3, 4, 5]);
        assert_eq!(start_page::<u64>(&None, 1), 1);
        assert_eq!(start_page(&Some(0.0_f64), 1), 1);
        assert_eq!(start_page(&Some(3.0_f64), 1), 3);
    }

    #[tokio::test]
    async fn a_server_that_ignores_the_page_number_ends_in_an_error_not_a_loop() {
        let stream = page_number_stream(1, 1, 2, true, |_page| async move {
            Ok(Page {
                items: vec![1_u64, 2],
                total: None,
                limit: None,
            })
        });
        let got: Vec<Result<u64, Error>> = stream.collect().await;
        assert_eq!(got.len(), 3);
        let e = got[2].as_ref().unwrap_err();
        assert!(e.to_string().contains("ignores `page`"), "{e}");
    }

    #[test]
    fn the_page_size_is_the_builders_or_the_default() {
        let none = Vec::new();
        assert_eq!(page_size::<u64>(&None, &none, "limit", 20), (20, true));
        assert_eq!(page_size(&Some(100_u64), &none, "limit", 20), (100, false));
        // A refused `limit` is left for `send()` to report.
        let refused = vec![("limit", "bad".to_string())];
        assert_eq!(page_size::<u64>(&None, &refused, "limit", 20), (20, false));
    }

    #[tokio::test]
    async fn walks_every_page_once_and_stops_at_the_total() {
        let (stream, asked) = pages(Some(45), 20, 45);
        let items: Vec<u64> = stream.try_collect().await.unwrap();
        assert_eq!(items, (0..45).collect::<Vec<_>>());
        assert_eq!(*asked.lock().unwrap(), [0, 20, 40]);
    }

    #[tokio::test]
    async fn without_a_total_a_short_page_is_the_last_one() {
        let (stream, asked) = pages(None, 20, 40);
        assert_eq!(stream.try_collect::<Vec<_>>().await.unwrap().len(), 40);
        // 40 is a multiple of 20: one more (empty) page is needed to know the end.
        assert_eq!(*asked.lock().unwrap(), [0, 20, 40]);
    }

    #[tokio::test]
    async fn an_empty_list_costs_one_request() {
        let (stream, asked) = pages(Some(0), 20, 0);
        assert!(stream.try_collect::<Vec<_>>().await.unwrap().is_empty());
        assert_eq!(*asked.lock().unwrap(), [0]);
    }

    #[test]
    fn number_counts_are_whole_and_non_negative() {
        assert_eq!(count(20.0_f64), Some(20));
        assert_eq!(count(Some(0.0_f64)), Some(0));
        for bad in [-1.0_f64, 2.5, f64::NAN, f64::INFINITY, 1e20] {
            assert_eq!(count(bad), None, "{bad}");
        }
    }

    #[test]
    fn counts_refuse_negatives() {
        assert_eq!(count(Some(-1_i64)), None);
        assert_eq!(count(Some(5_i64)), Some(5));
        assert_eq!(start_offset::<u64>(&None), 0);
        assert_eq!(start_offset(&Some(40_u64)), 40);
    }
}
