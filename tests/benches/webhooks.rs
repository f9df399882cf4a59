//! How long verifying a webhook takes: `lomi_client::webhooks::verify` on a 2 KiB body,
//! against the bare HMAC-SHA256 of the same bytes with the same library (ring: the work
//! any verifier must do), in one run, alternating call by call.
//!
//! `cargo bench -p tests --bench webhooks` prints a table.

use std::hint::black_box;
use std::time::{Duration, Instant};

use lomi_client::webhooks;
use ring::hmac;

const SAMPLES: usize = 20_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let secret = "whsec_bench_0123456789abcdef";
    let mut body = String::from(
        r#"{"id":"5f0c6a1e-8d3b-4c2a-9e7f-1a2b3c4d5e6f","event":"CHECKOUT_COMPLETED","data":{"note":""#,
    );
    while body.len() < 2048 - 3 {
        body.push('x');
    }
    body.push_str(r#""}}"#);
    let body = body.into_bytes();
    assert_eq!(body.len(), 2048);
    let signature = webhooks::sign(&body, secret);

    let (mut ours, mut bare) = (Vec::with_capacity(SAMPLES), Vec::with_capacity(SAMPLES));
    for _ in 0..SAMPLES {
        let started = Instant::now();
        black_box(webhooks::verify(
            black_box(&body),
            black_box(&signature),
            secret,
        ))
        .unwrap();
        ours.push(started.elapsed());

        let started = Instant::now();
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        black_box(hmac::sign(&key, black_box(&body)));
        bare.push(started.elapsed());
    }
    let (ours, bare) = (median(ours), median(bare));
    println!(
        "webhook verification of a {}-byte body, median of {SAMPLES} calls each",
        body.len()
    );
    println!("| | time per call | ratio |");
    println!("|---|---|---|");
    println!("| bare HMAC-SHA256 (baseline) | {bare:.2?} | 1.00 |");
    println!(
        "| webhooks::verify (parse the header, HMAC, constant-time compare) | {ours:.2?} | {:.2} |",
        ours.as_secs_f64() / bare.as_secs_f64()
    );
}
