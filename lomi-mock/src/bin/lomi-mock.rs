//! `cargo run -p lomi-mock -- --port 12111`: the mock as a server any test harness can
//! start, as stripe-mock is. It prints its base URL and API key, then serves until it is
//! stopped.

use std::process::ExitCode;

const USAGE: &str = "usage: lomi-mock [--port PORT] [--api-key KEY] [--spec FILE]

  --port PORT     port on 127.0.0.1 (default 12111; 0 takes a free one)
  --api-key KEY   the API key requests must carry (default lomi_sk_test_mock_0123456789)
  --spec FILE     an OpenAPI 3.0 document to check requests against (default: lomi.'s)";

fn parse(args: &[String]) -> Result<lomi_mock::MockBuilder, String> {
    let mut builder = lomi_mock::MockServer::builder().port(12111);
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        builder = match flag.as_str() {
            "--port" => {
                let v = value()?;
                builder.port(
                    v.parse()
                        .map_err(|_| format!("--port: {v:?} is not a port number"))?,
                )
            }
            "--api-key" => builder.api_key(value()?.clone()),
            "--spec" => {
                let path = value()?;
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("--spec: cannot read {path}: {e}"))?;
                builder.spec(text)
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        };
    }
    Ok(builder)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let builder = match parse(&args) {
        Ok(builder) => builder,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("lomi-mock: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mock = match builder.start().await {
        Ok(mock) => mock,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    println!("lomi-mock listening on {}", mock.url());
    println!("API key: {}", mock.api_key());
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
