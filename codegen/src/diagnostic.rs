//! What the generator tells a maintainer when a spec cannot be used as it is.

use std::fmt;

/// How bad a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something the maintainer should know that needs no action (`--deny-warnings`
    /// lets it pass).
    Note,
    /// Generation goes on; the maintainer should still look.
    Warning,
    /// Generation stops: the spec must be fixed first.
    Error,
}

/// Declares [`Code`] from one table, a row per code: the variant, its stable id, its
/// severity and its title. The enum, [`Code::ALL`] and each lookup come from the rows, so
/// a code is written once.
macro_rules! codes {
    ($($variant:ident = $id:literal, $severity:ident, $title:literal;)*) => {
        /// What a [`Diagnostic`] is about: a stable code for tests, documentation and
        /// tools (`L003`: `Y` loading, `O` the overlay, `L` the lint, `R` renames against
        /// the published client, `G` generation), and the severity that follows from its
        /// effect on the generated code (a problem that changes no generated line is a
        /// warning). MAINTAINING.md lists them all.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $(
                #[doc = concat!("`", $id, "`: ", $title, ".")]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &[Code] = &[$(Code::$variant),*];

            /// The stable identifier (`L003`).
            pub fn id(self) -> &'static str {
                match self {
                    $(Code::$variant => $id,)*
                }
            }

            /// Whether generation stops: a problem that changes no generated line (an
            /// example, error bodies the runtime reads untyped, a missing success) is a
            /// warning.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// What the code is about, in a few words.
            pub fn title(self) -> &'static str {
                match self {
                    $(Code::$variant => $title,)*
                }
            }
        }
    };
}

codes! {
    NotYaml = "Y001", Error, "a file is not valid YAML or JSON";
    DuplicateKey = "Y002", Error, "a mapping repeats a key (YAML keeps only the last)";
    NotAMapping = "Y003", Error, "the spec is not a mapping at its top level";
    OpenApi31 = "Y004", Error, "OpenAPI 3.1, which the generator does not read";
    UnsupportedVersion = "Y005", Error, "an `openapi` version other than 3.0.x";
    Swagger2 = "Y006", Error, "a Swagger 2.0 document";
    NoVersion = "Y007", Error, "no `openapi` version field";
    NotOpenApi30 = "Y008", Error, "the document does not follow the OpenAPI 3.0 schema";
    UpstreamNotMapping = "O001", Error, "the upstream document is not a mapping";
    CannotPrint = "O002", Error, "the derived document cannot be printed";
    NotOverlay = "O003", Error, "the overlay is not an Overlay 1.0 document";
    ActionMatchesNothing = "O004", Error, "an overlay action's target matches nothing upstream";
    ActionCannotApply = "O005", Error, "an overlay action cannot be applied";
    ActionAppendsDuplicate = "O006", Warning, "an overlay action appends a value an array already holds";
    ActionAddsUntypedProperty = "O007", Warning, "an overlay action adds a property with no type (upstream no longer has it)";
    RefNotString = "L001", Error, "a `$ref` that is not a string";
    ExternalRef = "L002", Error, "a reference to another document";
    DanglingRef = "L003", Error, "a `$ref` to nothing";
    RefCycle = "L004", Error, "references that only point at each other";
    AliasNotList = "L005", Error, "`x-lomi-aliases` that is not a list of names";
    AliasBesideRef = "L006", Error, "`x-lomi-aliases` beside a `$ref`, where it is ignored";
    AliasOnRequired = "L007", Error, "`x-lomi-aliases` on a required property";
    AliasShadowsProperty = "L008", Error, "an alias that names a declared property";
    PathWithoutSlash = "L009", Error, "a path that does not start with `/`";
    PathItemRef = "L010", Error, "a path item given as a `$ref`";
    NoOperationId = "L011", Error, "an operation without an operationId";
    BadOperationId = "L012", Error, "an operationId that cannot name a Rust method";
    DuplicateOperationId = "L013", Error, "two operations with one operationId";
    MalformedPathTemplate = "L014", Error, "a malformed path template";
    PathParamNotInTemplate = "L015", Error, "a path parameter missing from its path";
    PathParamNotRequired = "L016", Error, "a path parameter not marked required";
    PathParamStyle = "L017", Error, "a path parameter with a `style` other than simple";
    QueryParamStyle = "L018", Error, "a query parameter with a `style` other than form";
    CookieParam = "L019", Error, "a cookie parameter";
    ContentParam = "L020", Error, "a parameter described with `content`";
    UndeclaredTemplateParam = "L021", Warning, "a `{param}` in a path that no parameter declares (taken as a required string)";
    ManyRequestContentTypes = "L022", Error, "a request body in several content types";
    UnsupportedRequestContentType = "L023", Error, "a request body content type the client cannot send";
    RequestBodyWithoutSchema = "L024", Error, "a request body without a schema";
    RequestEncoding = "L025", Error, "a request body with `encoding`";
    BadStatusCode = "L026", Error, "a response key that is not a status code";
    ErrorBodiesDiffer = "L027", Warning, "error responses with different bodies";
    SuccessBodiesDiffer = "L028", Error, "success responses with different bodies";
    NoSuccessResponse = "L029", Warning, "an operation without a success response";
    ResponseEncoding = "L030", Error, "a response with `encoding`";
    JsonResponseWithoutSchema = "L031", Error, "a JSON response without a schema";
    UnknownSchemaType = "L032", Error, "a `type` that is not a schema type";
    TypeList = "L033", Error, "a `type` given as a list";
    FormatWithoutType = "L034", Error, "a `format` without a `type`";
    BadPattern = "L035", Error, "a `pattern` that is not an ECMA-262 regular expression";
    ExclusiveWithoutBound = "L036", Error, "`exclusiveMinimum`/`exclusiveMaximum` without its bound";
    ExampleMismatch = "L037", Warning, "an example that does not match its schema (changes no code)";
    DefaultMismatch = "L038", Error, "a default that does not match its schema (defaults become code)";
    BadRustName = "L039", Error, "an `x-lomi-rust-name` that is not a Rust name of the right case";
    RustNameNowhere = "L040", Error, "an `x-lomi-rust-name` where no Rust item takes its name";
    FeatureNameTaken = "L041", Error, "a tag whose cargo feature cannot be used";
    PathParameterRenameKept = "R001", Note, "a path parameter renamed upstream keeps its published Rust setter";
    OperationRenamed = "R002", Error, "an operationId renamed upstream would rename a published client method";
    SchemaRenamed = "R003", Error, "a schema renamed upstream would rename a published Rust type";
    PropertyRenamed = "R004", Error, "a property renamed upstream would rename a published Rust field";
    GeneratorRefused = "G001", Error, "typify refused or the generator panicked on a construct the lint does not know";
}

/// One problem in a spec, located precisely enough to jump to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem it is.
    pub code: Code,
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
    /// Whether generation can go on: the code's severity.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// Where the problem is, as `file:line` (or just `file`).
    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        }
    }

    /// Whether this diagnostic stops generation.
    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity() {
            Severity::Note => "note",
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
            "{level}[{}]: {}\n  --> {} at {pointer}\n  = help: {}",
            self.code.id(),
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
            code: Code::NoOperationId,
            file: "spec/lomi.yaml".into(),
            line: Some(12),
            pointer: "/paths/~1x/get".into(),
            message: "operation has no operationId".into(),
            help: "add `operationId: listX`".into(),
        };
        assert_eq!(
            d.to_string(),
            "error[L011]: operation has no operationId\n  --> spec/lomi.yaml:12 at /paths/~1x/get\n  = help: add `operationId: listX`"
        );
    }

    #[test]
    fn codes_are_unique_and_stable_in_shape() {
        let mut ids: Vec<&str> = Code::ALL.iter().map(|c| c.id()).collect();
        for id in &ids {
            assert!(
                id.len() == 4
                    && "YOLRG".contains(&id[..1])
                    && id[1..].chars().all(|c| c.is_ascii_digit()),
                "{id}"
            );
        }
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "two codes share an id");
        assert_eq!(Code::ExampleMismatch.severity(), Severity::Warning);
        assert_eq!(Code::DefaultMismatch.severity(), Severity::Error);
    }
}
