//! What the generator tells a maintainer when a spec cannot be used as it is.

use std::fmt;

/// How bad a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Generation goes on; the maintainer should still look.
    Warning,
    /// Generation stops: the spec must be fixed first.
    Error,
}

/// One problem in a spec, located precisely enough to jump to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether generation can go on.
    pub severity: Severity,
    /// The spec file, as the maintainer named it (e.g. `spec/lomi.yaml`).
    pub file: String,
    /// 1-based line of the offending node, when known.
    pub line: Option<usize>,
    /// JSON pointer (RFC 6901) of the offending node, `""` for the document root.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl Diagnostic {
    /// Where the problem is, as `file:line` (or just `file`).
    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        }
    }

    /// Whether this diagnostic stops generation.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let pointer = if self.pointer.is_empty() {
            "#"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{level}: {}\n  --> {} at {pointer}\n  = help: {}",
            self.message,
            self.location(),
            self.help
        )
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901, section 3).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape_token`].
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Builds a JSON pointer from its unescaped tokens.
pub fn pointer<I, S>(tokens: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    tokens
        .into_iter()
        .map(|t| format!("/{}", escape_token(t.as_ref())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        assert_eq!(
            pointer(["paths", "/checkout_sessions/{id}", "get"]),
            "/paths/~1checkout_sessions~1{id}/get"
        );
        assert_eq!(pointer(["a~b"]), "/a~0b");
        assert_eq!(pointer::<[&str; 0], &str>([]), "");
    }

    #[test]
    fn display_names_file_line_pointer_and_help() {
        let d = Diagnostic {
            severity: Severity::Error,
            file: "spec/lomi.yaml".into(),
            line: Some(12),
            pointer: "/paths/~1x/get".into(),
            message: "operation has no operationId".into(),
            help: "add `operationId: listX`".into(),
        };
        assert_eq!(
            d.to_string(),
            "error: operation has no operationId\n  --> spec/lomi.yaml:12 at /paths/~1x/get\n  = help: add `operationId: listX`"
        );
    }
}
