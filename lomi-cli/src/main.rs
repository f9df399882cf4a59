//! `lomi`: lomi.'s API and webhook events from the shell.
//!
//! - Every operation of the spec, from the table `cargo xtask generate` writes
//!   (`generated.rs`): `lomi checkout-sessions create --amount 15000 --currency-code XOF
//!   …`, `list [--all]`, `retrieve ID`, `update ID --metadata '{…}'`, `delete ID`, with
//!   `--base-url`, `--live`, `--api-key` (or `LOMI_API_KEY`), `--idempotency-key` and
//!   `--timeout`; the answer is printed as JSON.
//! - `lomi webhooks send --to URL --secret whsec_… --event NAME [--data FILE]` signs an
//!   event exactly as lomi. does (the body `{id, event, timestamp, data,
//!   lomi_environment}`, `X-Lomi-Signature` the HMAC-SHA256 of its bytes) and POSTs it to
//!   any endpoint: no mock and no lomi. account needed.
//! - `lomi webhooks verify --secret whsec_… --signature HEX < body.json` checks a captured
//!   body and says why it fails.
//!
//! Exit codes: 0 done; 1 refused (lomi. or the endpoint answered an error, or the
//! signature does not match); 2 a bad argument or input (clap's own code for usage
//! errors); 3 no answer (connection, timeout); 4 an answer that is not what the spec says.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use lomi_client::webhooks::{self, EVENT_HEADER, EventType, SIGNATURE_HEADER};

// Machine output: formatted by prettyplease, not rustfmt (`cargo xtask generate`): the
// tables of the 1.1.0 API (spec/) and of the current one (apis/current/).
#[rustfmt::skip]
mod generated;
#[rustfmt::skip]
mod generated_current;
mod config;
mod dev;
mod run;
mod table;

#[derive(Parser)]
#[command(
    name = "lomi",
    version,
    about = "lomi.'s API and webhook events from the shell",
    subcommand_required = true,
    arg_required_else_help = true
)]
struct Cli {
    #[command(flatten)]
    globals: run::Globals,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Webhook events: sign and send one, or check a captured one.
    #[command(subcommand)]
    Webhooks(Webhooks),
    /// Run the mock as a development server: the API, hosted payment pages, and every
    /// event signed and forwarded (--forward-to).
    Mock(dev::MockArgs),
    /// Make an event happen on a running `lomi mock`: create a checkout session (its
    /// fields overridable with --set) or take --session's, pay or fail it, and report
    /// each delivery.
    Trigger(dev::TriggerArgs),
    /// Events a running `lomi mock` sent: send one again.
    #[command(subcommand)]
    Events(Events),
    /// Keep an API key for the next commands: read from standard input (never a flag,
    /// which other users of the machine could see), written to the config file with
    /// mode 0600.
    Login,
}

#[derive(Subcommand)]
enum Events {
    /// Deliver an event the running mock sent (`lomi trigger` and the payment page print
    /// its id) again to its forward URL: the same body, signature and id, as lomi.
    /// redelivers, so an endpoint that deduplicates on the id acts once.
    Resend {
        /// The event's id.
        id: String,
        /// The mock's flags, read through `Globals::merged`.
        #[command(flatten)]
        side: run::MockSide,
    },
}

#[derive(Subcommand)]
enum Webhooks {
    /// Sign an event as lomi. does and POST it to an endpoint (no mock needed).
    Send {
        /// The endpoint, e.g. http://127.0.0.1:3000/webhooks.
        #[arg(long)]
        to: String,
        /// The endpoint's secret (whsec_…).
        #[arg(long, env = "LOMI_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The event: lomi.'s name (CHECKOUT_COMPLETED) or the Stripe-style spelling
        /// (checkout.completed).
        #[arg(long)]
        event: String,
        /// The event's `data`: a JSON file, or - for standard input (default: {}).
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Check a captured event body, read from standard input, against its
    /// X-Lomi-Signature and the endpoint's secret.
    Verify {
        /// The endpoint's secret (whsec_…).
        #[arg(long, env = "LOMI_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The X-Lomi-Signature header as received (hex, with or without `sha256=`).
        #[arg(long)]
        signature: String,
    },
}

/// Why a command failed, and so its exit code.
pub(crate) enum Failure {
    /// lomi., the endpoint or the signature said no (1).
    Refused(String),
    /// An argument or input is wrong (2).
    Input(String),
    /// Nothing answered (3).
    Unreachable(String),
    /// The answer is not what the spec says (4).
    Decode(String),
}

fn main() -> ExitCode {
    // reqwest is built here without a TLS provider of its own: ring, as lomi-client's.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The commands depend on the API (`--api`), so it is read first.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let api = run::Api::from_args(&args);
    let command = Cli::command().subcommands(table::commands(api.operations()));
    let matches = command.get_matches_from(args);
    let result = dispatch(&matches);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let (code, message) = match failure {
                Failure::Refused(m) => (1, m),
                Failure::Input(m) => (2, m),
                Failure::Unreachable(m) => (3, m),
                Failure::Decode(m) => (4, m),
            };
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

/// The matches of the command that runs: the innermost subcommand's.
fn leaf(matches: &clap::ArgMatches) -> &clap::ArgMatches {
    let mut at = matches;
    while let Some((_, sub)) = at.subcommand() {
        at = sub;
    }
    at
}

fn dispatch(matches: &clap::ArgMatches) -> Result<(), Failure> {
    // The command that runs: its flags replace those given before it.
    let globals = run::Globals::merged(matches, leaf(matches)).map_err(Failure::Input)?;
    match matches.subcommand() {
        // The commands of `lomi`'s own, parsed as declared.
        Some((name, _)) if generated::BUILT_IN_COMMANDS.contains(&name) => {
            let cli = Cli::from_arg_matches(matches).map_err(|e| Failure::Input(e.to_string()))?;
            match cli.command {
                Some(Command::Webhooks(Webhooks::Send {
                    to,
                    secret,
                    event,
                    data,
                })) => send(&to, &secret, &event, data.as_ref()),
                Some(Command::Webhooks(Webhooks::Verify { secret, signature })) => {
                    verify(&secret, &signature)
                }
                Some(Command::Login) => config::login(),
                Some(Command::Mock(args)) => dev::mock(&args, &globals),
                Some(Command::Trigger(args)) => dev::trigger(&args, &globals),
                Some(Command::Events(Events::Resend { id, .. })) => dev::resend(&id, &globals),
                None => Err(Failure::Input("no command: see `lomi --help`".into())),
            }
        }
        Some((resource, sub)) => {
            let (verb, args) = sub
                .subcommand()
                .ok_or_else(|| Failure::Input(format!("`lomi {resource}` needs a verb")))?;
            let op = globals
                .api
                .operations()
                .iter()
                .find(|op| op.resource == resource && op.verb == verb)
                .ok_or_else(|| Failure::Input(format!("no operation `{resource} {verb}`")))?;
            run::operation(op, args, &globals)
        }
        None => Err(Failure::Input("no command: see `lomi --help`".into())),
    }
}

/// lomi.'s spelling of an event name: `checkout.completed` → `CHECKOUT_COMPLETED`.
fn event_name(name: &str) -> String {
    name.trim().replace(['.', '-'], "_").to_uppercase()
}

/// The `--data` file (or standard input) as JSON; `{}` without one.
fn read_data(path: Option<&PathBuf>) -> Result<serde_json::Value, Failure> {
    match path {
        Some(path) => run::read_data(&path.to_string_lossy()),
        None => Ok(serde_json::json!({})),
    }
}

fn send(to: &str, secret: &str, event: &str, data: Option<&PathBuf>) -> Result<(), Failure> {
    let url = run::http_url("--to", to)?;
    if secret.trim().is_empty() {
        return Err(Failure::Input("--secret is empty".into()));
    }
    let event = event_name(event);
    if event.is_empty() {
        return Err(Failure::Input("--event is empty".into()));
    }
    if matches!(EventType::from(event.as_str()), EventType::Unknown(_)) {
        eprintln!("note: {event} is not an event lomi. sends today; sending it anyway");
    }
    let data = read_data(data)?;
    let (id, body) = lomi_mock::event_payload(&event, &data);
    let signature = webhooks::sign(&body, secret);

    let runtime = run::runtime()?;
    let answer = runtime.block_on(async {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent("Lomi-Webhook/1.0")
            .build()
            .map_err(|e| Failure::Unreachable(format!("cannot build an HTTP client: {e}")))?;
        let response = http
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, &signature)
            .header(EVENT_HEADER, &event)
            .body(body)
            .send()
            .await
            .map_err(|e| {
                let why = if e.is_timeout() {
                    "no answer within 10 s".to_string()
                } else if e.is_connect() {
                    "nothing accepts connections there".to_string()
                } else {
                    e.to_string()
                };
                Failure::Unreachable(format!("cannot deliver {event} to {url}: {why}"))
            })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Ok::<_, Failure>((status, text))
    })?;
    let (status, text) = answer;
    if status.is_success() {
        println!("delivered {event} (id {id}) to {url}: {status}");
        Ok(())
    } else {
        let excerpt: String = text.chars().take(200).collect();
        Err(Failure::Refused(format!(
            "{url} refused {event} (id {id}): {status}{}",
            if excerpt.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", excerpt.trim())
            }
        )))
    }
}

fn verify(secret: &str, signature: &str) -> Result<(), Failure> {
    let mut body = Vec::new();
    std::io::stdin()
        .read_to_end(&mut body)
        .map_err(|e| Failure::Input(format!("cannot read the body from standard input: {e}")))?;
    match webhooks::construct_event(&body, signature, secret) {
        Ok(event) => {
            println!("valid: {} (id {})", event.event, event.id);
            Ok(())
        }
        Err(e) => Err(Failure::Refused(format!("invalid: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command, by its path from `lomi`, that runs (has no subcommand).
    fn leaves(command: &clap::Command, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if command.get_subcommands().next().is_none() {
            out.push(path.clone());
        }
        for sub in command.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            path.push(sub.get_name().to_string());
            leaves(sub, path, out);
            path.pop();
        }
    }

    /// What `[default: X]` in a command's `--help` says is what the command uses when
    /// the flag is left out: the same value as `--flag X`, for every flag with a default
    /// of every command of either API.
    #[test]
    fn every_default_in_a_help_is_what_the_flag_given_so_gives() {
        for api in [run::Api::Current, run::Api::V1_1_0] {
            let top = Cli::command().subcommands(table::commands(api.operations()));
            let mut paths = Vec::new();
            leaves(&top, &mut Vec::new(), &mut paths);
            let mut checked = 0;
            for path in paths.iter().filter(|p| !p.is_empty()) {
                let mut leaf = &top;
                for name in path {
                    leaf = leaf.find_subcommand(name).unwrap();
                }
                // What the command needs to parse at all: a value for each required
                // argument.
                let mut base: Vec<String> = std::iter::once("lomi".to_string())
                    .chain(path.iter().cloned())
                    .collect();
                for arg in leaf.get_arguments().filter(|a| a.is_required_set()) {
                    match arg.get_long() {
                        Some(long) => base.extend([format!("--{long}"), "x".into()]),
                        None => base.push("x".into()),
                    }
                }
                // Every `[default: X]` the help shows is a flag's real default, never
                // words in a flag's description (which `--flag X` could not reproduce).
                let shown = leaf
                    .clone()
                    .render_long_help()
                    .to_string()
                    .matches("[default: ")
                    .count();
                let real = leaf
                    .get_arguments()
                    .filter(|a| !a.is_hide_set() && !a.get_default_values().is_empty())
                    .count();
                assert_eq!(shown, real, "`lomi {}`'s help", path.join(" "));
                for arg in leaf.get_arguments() {
                    let (Some(long), [default]) = (arg.get_long(), arg.get_default_values()) else {
                        continue;
                    };
                    let default = default.to_string_lossy().to_string();
                    let id = arg.get_id().as_str();
                    let value = |extra: &[String]| {
                        let mut argv = base.clone();
                        argv.extend_from_slice(extra);
                        let matches = top
                            .clone()
                            .try_get_matches_from(&argv)
                            .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
                        let raw: Vec<String> = super::leaf(&matches)
                            .get_raw(id)
                            .into_iter()
                            .flatten()
                            .map(|v| v.to_string_lossy().to_string())
                            .collect();
                        raw
                    };
                    let left_out = value(&[]);
                    let given = value(&[format!("--{long}"), default.clone()]);
                    assert_eq!(
                        left_out,
                        given,
                        "`lomi {}`: [default: {default}] of --{long}",
                        path.join(" ")
                    );
                    checked += 1;
                }
            }
            assert!(
                checked > 5,
                "only {checked} defaults checked in {} leaves",
                paths.len()
            );
        }
    }

    #[test]
    fn no_resource_of_the_spec_takes_the_name_of_a_command_of_lomis_own() {
        for command in Cli::command().get_subcommands() {
            assert!(
                generated::BUILT_IN_COMMANDS.contains(&command.get_name()),
                "`lomi {}` is not in the generator's BUILT_IN_COMMANDS",
                command.get_name()
            );
        }
        // The generated commands and ours together, for either API: clap checks for
        // clashes.
        assert_eq!(
            generated::BUILT_IN_COMMANDS,
            generated_current::BUILT_IN_COMMANDS
        );
        for api in [run::Api::Current, run::Api::V1_1_0] {
            Cli::command()
                .subcommands(table::commands(api.operations()))
                .debug_assert();
        }
    }
}
