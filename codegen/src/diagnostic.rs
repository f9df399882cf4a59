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

/// What a [`Diagnostic`] is about: a stable code for tests, documentation and tools
/// (`L003`: `Y` loading, `O` the overlay, `L` the lint, `R` renames against the
/// published client, `G` generation), and the severity
/// that follows from its effect on the generated code. The README lists them all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Code {
    /// `Y001`: a file is not valid YAML or JSON.
    NotYaml,
    /// `Y002`: a mapping repeats a key (YAML keeps only the last).
    DuplicateKey,
    /// `Y003`: the spec is not a mapping at its top level.
    NotAMapping,
    /// `Y004`: OpenAPI 3.1, which progenitor does not read.
    OpenApi31,
    /// `Y005`: an `openapi` version other than 3.0.x.
    UnsupportedVersion,
    /// `Y006`: a Swagger 2.0 document.
    Swagger2,
    /// `Y007`: no `openapi` version field.
    NoVersion,
    /// `Y008`: the document does not follow the OpenAPI 3.0 schema.
    NotOpenApi30,
    /// `O001`: the upstream document is not a mapping.
    UpstreamNotMapping,
    /// `O002`: the derived document cannot be printed.
    CannotPrint,
    /// `O003`: the overlay is not an Overlay 1.0 document.
    NotOverlay,
    /// `O004`: an overlay action's target matches nothing upstream.
    ActionMatchesNothing,
    /// `O005`: an overlay action cannot be applied.
    ActionCannotApply,
    /// `O006`: an overlay action appends a value to an array that already holds it
    /// (`update` merges objects and appends to arrays).
    ActionAppendsDuplicate,
    /// `O007`: an overlay action adds a property with no type where the node has none of
    /// that name (upstream no longer has it: the client would get an untyped field).
    ActionAddsUntypedProperty,
    /// `L001`: a `$ref` that is not a string.
    RefNotString,
    /// `L002`: a reference to another document.
    ExternalRef,
    /// `L003`: a `$ref` to nothing.
    DanglingRef,
    /// `L004`: references that only point at each other.
    RefCycle,
    /// `L005`: `x-lomi-aliases` that is not a list of names.
    AliasNotList,
    /// `L006`: `x-lomi-aliases` beside a `$ref`, where it is ignored.
    AliasBesideRef,
    /// `L007`: `x-lomi-aliases` on a required property.
    AliasOnRequired,
    /// `L008`: an alias that names a declared property.
    AliasShadowsProperty,
    /// `L009`: a path that does not start with `/`.
    PathWithoutSlash,
    /// `L010`: a path item given as a `$ref`.
    PathItemRef,
    /// `L011`: an operation without an operationId.
    NoOperationId,
    /// `L012`: an operationId that cannot name a Rust method.
    BadOperationId,
    /// `L013`: two operations with one operationId.
    DuplicateOperationId,
    /// `L014`: a malformed path template.
    MalformedPathTemplate,
    /// `L015`: a path parameter missing from its path.
    PathParamNotInTemplate,
    /// `L016`: a path parameter not marked required.
    PathParamNotRequired,
    /// `L017`: a path parameter with a `style` other than simple.
    PathParamStyle,
    /// `L018`: a query parameter with a `style` other than form.
    QueryParamStyle,
    /// `L019`: a cookie parameter.
    CookieParam,
    /// `L020`: a parameter described with `content`.
    ContentParam,
    /// `L021`: a `{param}` in a path that no parameter declares (taken as a required string).
    UndeclaredTemplateParam,
    /// `L022`: a request body in several content types.
    ManyRequestContentTypes,
    /// `L023`: a request body content type the client cannot send.
    UnsupportedRequestContentType,
    /// `L024`: a request body without a schema.
    RequestBodyWithoutSchema,
    /// `L025`: a request body with `encoding`.
    RequestEncoding,
    /// `L026`: a response key that is not a status code.
    BadStatusCode,
    /// `L027`: error responses with different bodies.
    ErrorBodiesDiffer,
    /// `L028`: success responses with different bodies.
    SuccessBodiesDiffer,
    /// `L029`: an operation without a success response.
    NoSuccessResponse,
    /// `L030`: a response with `encoding`.
    ResponseEncoding,
    /// `L031`: a JSON response without a schema.
    JsonResponseWithoutSchema,
    /// `L032`: a `type` that is not a schema type.
    UnknownSchemaType,
    /// `L033`: a `type` given as a list.
    TypeList,
    /// `L034`: a `format` without a `type`.
    FormatWithoutType,
    /// `L035`: a `pattern` that is not an ECMA-262 regular expression.
    BadPattern,
    /// `L036`: `exclusiveMinimum`/`exclusiveMaximum` without its bound.
    ExclusiveWithoutBound,
    /// `L037`: an example that does not match its schema (changes no code).
    ExampleMismatch,
    /// `L038`: a default that does not match its schema (defaults become code).
    DefaultMismatch,
    /// `L039`: an `x-lomi-rust-name` that is not a Rust name of the right case.
    BadRustName,
    /// `L040`: an `x-lomi-rust-name` where no Rust item takes its name.
    RustNameNowhere,
    /// `R001`: a path parameter renamed upstream keeps its published Rust setter.
    PathParameterRenameKept,
    /// `R002`: an operationId renamed upstream would rename a published client method.
    OperationRenamed,
    /// `R003`: a schema renamed upstream would rename a published Rust type.
    SchemaRenamed,
    /// `R004`: a property renamed upstream would rename a published Rust field.
    PropertyRenamed,
    /// `G001`: progenitor refused or panicked on a construct the lint does not know.
    GeneratorRefused,
}

impl Code {
    /// Every code, in order.
    pub const ALL: &[Code] = &[
        Code::NotYaml,
        Code::DuplicateKey,
        Code::NotAMapping,
        Code::OpenApi31,
        Code::UnsupportedVersion,
        Code::Swagger2,
        Code::NoVersion,
        Code::NotOpenApi30,
        Code::UpstreamNotMapping,
        Code::CannotPrint,
        Code::NotOverlay,
        Code::ActionMatchesNothing,
        Code::ActionCannotApply,
        Code::ActionAppendsDuplicate,
        Code::ActionAddsUntypedProperty,
        Code::RefNotString,
        Code::ExternalRef,
        Code::DanglingRef,
        Code::RefCycle,
        Code::AliasNotList,
        Code::AliasBesideRef,
        Code::AliasOnRequired,
        Code::AliasShadowsProperty,
        Code::PathWithoutSlash,
        Code::PathItemRef,
        Code::NoOperationId,
        Code::BadOperationId,
        Code::DuplicateOperationId,
        Code::MalformedPathTemplate,
        Code::PathParamNotInTemplate,
        Code::PathParamNotRequired,
        Code::PathParamStyle,
        Code::QueryParamStyle,
        Code::CookieParam,
        Code::ContentParam,
        Code::UndeclaredTemplateParam,
        Code::ManyRequestContentTypes,
        Code::UnsupportedRequestContentType,
        Code::RequestBodyWithoutSchema,
        Code::RequestEncoding,
        Code::BadStatusCode,
        Code::ErrorBodiesDiffer,
        Code::SuccessBodiesDiffer,
        Code::NoSuccessResponse,
        Code::ResponseEncoding,
        Code::JsonResponseWithoutSchema,
        Code::UnknownSchemaType,
        Code::TypeList,
        Code::FormatWithoutType,
        Code::BadPattern,
        Code::ExclusiveWithoutBound,
        Code::ExampleMismatch,
        Code::DefaultMismatch,
        Code::BadRustName,
        Code::RustNameNowhere,
        Code::PathParameterRenameKept,
        Code::OperationRenamed,
        Code::SchemaRenamed,
        Code::PropertyRenamed,
        Code::GeneratorRefused,
    ];

    /// The stable identifier (`L003`).
    pub fn id(self) -> &'static str {
        match self {
            Code::NotYaml => "Y001",
            Code::DuplicateKey => "Y002",
            Code::NotAMapping => "Y003",
            Code::OpenApi31 => "Y004",
            Code::UnsupportedVersion => "Y005",
            Code::Swagger2 => "Y006",
            Code::NoVersion => "Y007",
            Code::NotOpenApi30 => "Y008",
            Code::UpstreamNotMapping => "O001",
            Code::CannotPrint => "O002",
            Code::NotOverlay => "O003",
            Code::ActionMatchesNothing => "O004",
            Code::ActionCannotApply => "O005",
            Code::ActionAppendsDuplicate => "O006",
            Code::ActionAddsUntypedProperty => "O007",
            Code::RefNotString => "L001",
            Code::ExternalRef => "L002",
            Code::DanglingRef => "L003",
            Code::RefCycle => "L004",
            Code::AliasNotList => "L005",
            Code::AliasBesideRef => "L006",
            Code::AliasOnRequired => "L007",
            Code::AliasShadowsProperty => "L008",
            Code::PathWithoutSlash => "L009",
            Code::PathItemRef => "L010",
            Code::NoOperationId => "L011",
            Code::BadOperationId => "L012",
            Code::DuplicateOperationId => "L013",
            Code::MalformedPathTemplate => "L014",
            Code::PathParamNotInTemplate => "L015",
            Code::PathParamNotRequired => "L016",
            Code::PathParamStyle => "L017",
            Code::QueryParamStyle => "L018",
            Code::CookieParam => "L019",
            Code::ContentParam => "L020",
            Code::UndeclaredTemplateParam => "L021",
            Code::ManyRequestContentTypes => "L022",
            Code::UnsupportedRequestContentType => "L023",
            Code::RequestBodyWithoutSchema => "L024",
            Code::RequestEncoding => "L025",
            Code::BadStatusCode => "L026",
            Code::ErrorBodiesDiffer => "L027",
            Code::SuccessBodiesDiffer => "L028",
            Code::NoSuccessResponse => "L029",
            Code::ResponseEncoding => "L030",
            Code::JsonResponseWithoutSchema => "L031",
            Code::UnknownSchemaType => "L032",
            Code::TypeList => "L033",
            Code::FormatWithoutType => "L034",
            Code::BadPattern => "L035",
            Code::ExclusiveWithoutBound => "L036",
            Code::ExampleMismatch => "L037",
            Code::DefaultMismatch => "L038",
            Code::BadRustName => "L039",
            Code::RustNameNowhere => "L040",
            Code::PathParameterRenameKept => "R001",
            Code::OperationRenamed => "R002",
            Code::SchemaRenamed => "R003",
            Code::PropertyRenamed => "R004",
            Code::GeneratorRefused => "G001",
        }
    }

    /// Whether generation stops: a problem that changes no generated line (an example,
    /// error bodies the runtime reads untyped, a missing success) is a warning.
    pub fn severity(self) -> Severity {
        match self {
            Code::PathParameterRenameKept => Severity::Note,
            Code::UndeclaredTemplateParam
            | Code::ErrorBodiesDiffer
            | Code::NoSuccessResponse
            | Code::ExampleMismatch
            | Code::ActionAppendsDuplicate
            | Code::ActionAddsUntypedProperty => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// What the code is about, in a few words.
    pub fn title(self) -> &'static str {
        match self {
            Code::NotYaml => "a file is not valid YAML or JSON",
            Code::DuplicateKey => "a mapping repeats a key (YAML keeps only the last)",
            Code::NotAMapping => "the spec is not a mapping at its top level",
            Code::OpenApi31 => "OpenAPI 3.1, which progenitor does not read",
            Code::UnsupportedVersion => "an `openapi` version other than 3.0.x",
            Code::Swagger2 => "a Swagger 2.0 document",
            Code::NoVersion => "no `openapi` version field",
            Code::NotOpenApi30 => "the document does not follow the OpenAPI 3.0 schema",
            Code::UpstreamNotMapping => "the upstream document is not a mapping",
            Code::CannotPrint => "the derived document cannot be printed",
            Code::NotOverlay => "the overlay is not an Overlay 1.0 document",
            Code::ActionMatchesNothing => "an overlay action's target matches nothing upstream",
            Code::ActionCannotApply => "an overlay action cannot be applied",
            Code::ActionAppendsDuplicate => {
                "an overlay action appends a value an array already holds"
            }
            Code::ActionAddsUntypedProperty => {
                "an overlay action adds a property with no type (upstream no longer has it)"
            }
            Code::RefNotString => "a `$ref` that is not a string",
            Code::ExternalRef => "a reference to another document",
            Code::DanglingRef => "a `$ref` to nothing",
            Code::RefCycle => "references that only point at each other",
            Code::AliasNotList => "`x-lomi-aliases` that is not a list of names",
            Code::AliasBesideRef => "`x-lomi-aliases` beside a `$ref`, where it is ignored",
            Code::AliasOnRequired => "`x-lomi-aliases` on a required property",
            Code::AliasShadowsProperty => "an alias that names a declared property",
            Code::PathWithoutSlash => "a path that does not start with `/`",
            Code::PathItemRef => "a path item given as a `$ref`",
            Code::NoOperationId => "an operation without an operationId",
            Code::BadOperationId => "an operationId that cannot name a Rust method",
            Code::DuplicateOperationId => "two operations with one operationId",
            Code::MalformedPathTemplate => "a malformed path template",
            Code::PathParamNotInTemplate => "a path parameter missing from its path",
            Code::PathParamNotRequired => "a path parameter not marked required",
            Code::PathParamStyle => "a path parameter with a `style` other than simple",
            Code::QueryParamStyle => "a query parameter with a `style` other than form",
            Code::CookieParam => "a cookie parameter",
            Code::ContentParam => "a parameter described with `content`",
            Code::UndeclaredTemplateParam => {
                "a `{param}` in a path that no parameter declares (taken as a required string)"
            }
            Code::ManyRequestContentTypes => "a request body in several content types",
            Code::UnsupportedRequestContentType => {
                "a request body content type the client cannot send"
            }
            Code::RequestBodyWithoutSchema => "a request body without a schema",
            Code::RequestEncoding => "a request body with `encoding`",
            Code::BadStatusCode => "a response key that is not a status code",
            Code::ErrorBodiesDiffer => "error responses with different bodies",
            Code::SuccessBodiesDiffer => "success responses with different bodies",
            Code::NoSuccessResponse => "an operation without a success response",
            Code::ResponseEncoding => "a response with `encoding`",
            Code::JsonResponseWithoutSchema => "a JSON response without a schema",
            Code::UnknownSchemaType => "a `type` that is not a schema type",
            Code::TypeList => "a `type` given as a list",
            Code::FormatWithoutType => "a `format` without a `type`",
            Code::BadPattern => "a `pattern` that is not an ECMA-262 regular expression",
            Code::ExclusiveWithoutBound => {
                "`exclusiveMinimum`/`exclusiveMaximum` without its bound"
            }
            Code::ExampleMismatch => "an example that does not match its schema (changes no code)",
            Code::DefaultMismatch => {
                "a default that does not match its schema (defaults become code)"
            }
            Code::BadRustName => "an `x-lomi-rust-name` that is not a Rust name of the right case",
            Code::RustNameNowhere => "an `x-lomi-rust-name` where no Rust item takes its name",
            Code::PathParameterRenameKept => {
                "a path parameter renamed upstream keeps its published Rust setter"
            }
            Code::OperationRenamed => {
                "an operationId renamed upstream would rename a published client method"
            }
            Code::SchemaRenamed => "a schema renamed upstream would rename a published Rust type",
            Code::PropertyRenamed => {
                "a property renamed upstream would rename a published Rust field"
            }
            Code::GeneratorRefused => {
                "progenitor refused or panicked on a construct the lint does not know"
            }
        }
    }
}

/// One problem in a spec, located precisely enough to jump to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem it is.
    pub code: Code,
    /// Whether generation can go on (the code's severity).
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
            severity: Severity::Error,
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
