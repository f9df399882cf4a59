//! Path templates (`/products/{id}/prices`), read once for the generator (its lint, its
//! plan, the URL each `send()` builds) and the mock (its routing and its stores).

/// A piece of a path template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part<'a> {
    /// Text sent as it is (`/products/`).
    Literal(&'a str),
    /// A `{name}`: a parameter's value goes there.
    Param(&'a str),
}

/// `template`'s literal text and `{parameters}`, in order; an unmatched brace or an
/// empty `{}` is refused, saying which.
pub fn parse(template: &str) -> Result<Vec<Part<'_>>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err("`}` without a matching `{`".into());
        }
        if open > 0 {
            parts.push(Part::Literal(&rest[..open]));
        }
        let after = &rest[open + 1..];
        let close = after
            .find(['{', '}'])
            .filter(|&i| after.as_bytes()[i] == b'}')
            .ok_or("`{` without a matching `}`")?;
        let name = &after[..close];
        if name.is_empty() {
            return Err("empty `{}`".into());
        }
        parts.push(Part::Param(name));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Literal(rest));
    }
    Ok(parts)
}

/// The parameter a whole path segment names (`{id}` → `id`), if it is one.
pub fn segment_param(segment: &str) -> Option<&str> {
    segment
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::Part::*;
    use super::*;

    #[test]
    fn templates_are_read_in_order_and_broken_ones_refused() {
        assert_eq!(
            parse("/a/{id}/b/{x}.json").unwrap(),
            [
                Literal("/a/"),
                Param("id"),
                Literal("/b/"),
                Param("x"),
                Literal(".json")
            ]
        );
        assert_eq!(parse("{id}").unwrap(), [Param("id")]);
        assert_eq!(parse("/plain").unwrap(), [Literal("/plain")]);
        assert_eq!(parse("/a/{id").unwrap_err(), "`{` without a matching `}`");
        assert_eq!(parse("/a/id}").unwrap_err(), "`}` without a matching `{`");
        assert_eq!(
            parse("/a/{{id}}").unwrap_err(),
            "`{` without a matching `}`"
        );
        assert_eq!(parse("/a/{}").unwrap_err(), "empty `{}`");
        assert_eq!(segment_param("{id}"), Some("id"));
        assert_eq!(segment_param("id"), None);
        assert_eq!(segment_param("{}"), None);
    }
}
