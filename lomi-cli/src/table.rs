//! What the generated table (`generated.rs`, from `cargo xtask generate`) says of each
//! operation, and the `clap` commands built from it: one command per resource, one
//! subcommand per verb, path parameters positional, every other parameter and every body
//! property a flag.

use clap::{Arg, ArgAction, Command};

/// One operation of the spec.
pub struct Operation {
    /// Its resource: the tag in kebab case (`checkout-sessions`).
    pub resource: &'static str,
    /// What it does: `create`, `list`, `retrieve`, `update`, `delete`, or its
    /// operationId in kebab case.
    pub verb: &'static str,
    /// The operationId.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template (`/checkout_sessions/{session_id}`).
    pub path: &'static str,
    /// One line about it.
    pub about: &'static str,
    /// Its parameters.
    pub params: &'static [Param],
    /// Its JSON body's top-level properties.
    pub body: &'static [Param],
    /// Whether it takes a body.
    pub has_body: bool,
    /// How its pages are walked, if it is a paginated list (`--all`).
    pub pages: Option<Pages>,
}

/// How `--all` walks a paginated list's pages.
pub struct Pages {
    /// The page size's query parameter (`limit`, `pageSize`).
    pub size: &'static str,
    /// The position's query parameter: an offset (`offset`), or a page number (`page`).
    pub at: &'static str,
    /// The first page's number when `at` is a page number; `None`: an offset.
    pub first_page: Option<u64>,
    /// The answer's property holding the items (`data`, `customers`); `None`: the answer
    /// is the array.
    pub items: Option<&'static str>,
    /// Where the answer says how many items the list has (a JSON pointer), if it does.
    pub total: Option<&'static str>,
    /// Where the answer says the page size it used (a JSON pointer), if it does.
    pub reported_size: Option<&'static str>,
    /// The page size `--all` asks for unless told.
    pub page_size: u64,
}

/// A parameter or a body property.
pub struct Param {
    /// Its name on the wire.
    pub name: &'static str,
    /// Its flag (`currency-code`).
    pub flag: &'static str,
    /// Where it travels.
    pub location: Location,
    /// How its value is written.
    pub kind: Kind,
    /// Whether the operation needs it.
    pub required: bool,
    /// One line about it.
    pub help: &'static str,
}

/// Where a value travels.
#[derive(Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // a spec may put no value in some (or any) of these places
pub enum Location {
    /// A path segment (a positional argument).
    Path,
    /// A query pair.
    Query,
    /// A header.
    Header,
    /// A property of the JSON body.
    Body,
}

/// How a value is written on the command line.
#[derive(Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // a spec's bodies may use some of these kinds, or none
pub enum Kind {
    /// Text.
    Text,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// JSON (objects, arrays…).
    Json,
}

/// Flags the command takes for itself: a parameter or property named so gets a prefix.
pub const RESERVED: &[&str] = &[
    "base-url",
    "sandbox",
    "live",
    "api-key",
    "idempotency-key",
    "timeout",
    "data",
    "all",
    "help",
    "version",
];

/// The flag of `param` in `op`: its own, or with a prefix saying where it goes when the
/// command or another parameter already takes it.
pub fn flag(op: &Operation, param: &Param) -> String {
    let own = param.flag;
    let clashes = RESERVED.contains(&own)
        || op
            .params
            .iter()
            .chain(op.body)
            .filter(|p| p.flag == own)
            .count()
            > 1;
    if !clashes {
        return own.to_string();
    }
    match param.location {
        Location::Body => format!("body-{own}"),
        Location::Query => format!("query-{own}"),
        Location::Header => format!("header-{own}"),
        Location::Path => own.to_string(),
    }
}

/// The argument id of `param`: unique whatever the names.
pub fn id(param: &Param) -> String {
    let at = match param.location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
        Location::Body => "body",
    };
    format!("{at}:{}", param.name)
}

/// The commands of `operations`: one per resource, in the order they first appear.
pub fn commands(operations: &'static [Operation]) -> Vec<Command> {
    let mut resources: Vec<&str> = Vec::new();
    for op in operations {
        if !resources.contains(&op.resource) {
            resources.push(op.resource);
        }
    }
    resources
        .into_iter()
        .map(|resource| {
            let verbs = operations
                .iter()
                .filter(|op| op.resource == resource)
                .map(verb_command);
            Command::new(resource)
                .about(format!("The {resource} operations"))
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommands(verbs)
        })
        .collect()
}

fn verb_command(op: &'static Operation) -> Command {
    use clap::Args as _;
    // The API flags, after the command as before it (`Globals::merged`).
    let mut command = crate::run::Globals::augment_args(Command::new(op.verb)).about(format!(
        "{} ({} {}, operation {})",
        op.about, op.method, op.path, op.id
    ));
    for param in op.params.iter().chain(op.body) {
        let mut arg = Arg::new(id(param)).help(param.help);
        arg = if param.location == Location::Path {
            arg.required(true).value_name(param.name.to_uppercase())
        } else {
            let flag = flag(op, param);
            let value = match param.kind {
                Kind::Json => "JSON",
                Kind::Integer | Kind::Number => "NUMBER",
                Kind::Boolean => "true|false",
                Kind::Text => "TEXT",
            };
            // A required body property may come from `--data` instead.
            let required = param.required && param.location != Location::Body;
            let numeric = matches!(param.kind, Kind::Integer | Kind::Number);
            arg.long(flag)
                .value_name(value)
                .required(required)
                .allow_negative_numbers(numeric)
        };
        command = command.arg(arg);
    }
    if op.has_body {
        command =
            command.arg(Arg::new("data").long("data").value_name("FILE|-").help(
                "The whole body as JSON, from a file or - for standard input; flags add to it",
            ));
    }
    if op.pages.is_some() {
        command = command.arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Every item of every page, one JSON object a line"),
        );
    }
    command
}
