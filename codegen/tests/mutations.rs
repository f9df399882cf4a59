//! A property test: `spec/lomi.yaml`, mutated at random (lines dropped, repeated, swapped,
//! re-indented, tokens replaced, the file cut short, bytes inserted), must always give
//! either files or diagnostics: never a panic, never a hang.
//!
//! Deterministic: a fixed seed and a small PRNG (no dependency). Set `LOMI_MUTATIONS` for
//! a longer run and `LOMI_SEED` to explore other cases; a failure prints both, and the
//! spec that caused it.

use std::sync::mpsc;
use std::time::Duration;

use lomi_codegen::generate;

const SPEC: &str = include_str!("../../spec/lomi.yaml");

/// Longest a single generation may take before it counts as a hang (debug build, busy CI).
const HANG: Duration = Duration::from_secs(60);

/// xorshift64*: small, fast, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    "-",
    "null",
    "~",
    "-1",
    "1e309",
    "true",
    "''",
    "\"",
    "$ref: '#/components/schemas/Nope'",
    "$ref: '#/components/schemas/checkout_sessions'",
    "type: strin",
    "type: [string, 'null']",
    "format: uuid",
    "&anchor",
    "*anchor",
    "!!binary",
    "operationId: createCheckoutSession",
    "in: cookie",
    "required: false",
    "minimum: 500",
    "'{session_id}'",
    "application/xml",
    "default:",
    "'200':",
    "exclusiveMinimum: true",
    "additionalProperties: false",
    "allOf: []",
    "oneOf: [{type: integer}, {type: number}]",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let edits = 1 + rng.below(3);
    for _ in 0..edits {
        let n = lines.len();
        if n == 0 {
            break;
        }
        let i = rng.below(n);
        match rng.below(8) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let line = lines[i].clone();
                lines.insert(i, line);
            }
            2 if i + 1 < n => lines.swap(i, i + 1),
            3 => lines[i].insert_str(0, "  "),
            4 => {
                let trimmed = lines[i].strip_prefix("  ").map(str::to_string);
                if let Some(t) = trimmed {
                    lines[i] = t;
                }
            }
            5 => {
                // Replace the value after the key, or the whole line.
                let token = TOKENS[rng.below(TOKENS.len())];
                lines[i] = match lines[i].split_once(": ") {
                    Some((key, _)) => format!("{key}: {token}"),
                    None => format!("{}{token}", " ".repeat(rng.below(12))),
                };
            }
            6 => {
                let cut = rng.below(text.len());
                let cut = (0..=cut)
                    .rev()
                    .find(|c| text.is_char_boundary(*c))
                    .unwrap_or(0);
                return text[..cut].to_string();
            }
            _ => {
                let at = rng.below(lines[i].len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|c| lines[i].is_char_boundary(*c))
                    .unwrap_or(0);
                let byte =
                    [b'\t', b'\'', b'"', b'{', b'#', b'%', b'@', b'`', b'|', b'>'][rng.below(10)];
                lines[i].insert(at, byte as char);
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

#[test]
fn mutated_specs_give_files_or_diagnostics_never_a_panic_or_a_hang() {
    let runs: usize = std::env::var("LOMI_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let seed: u64 = std::env::var("LOMI_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x10_4d_1a_f7_1c_a0);
    let mut rng = Rng(seed | 1);
    let (mut generated, mut refused, mut caught) = (0, 0, 0);
    for run in 0..runs {
        let text = mutate(SPEC, &mut rng);
        let (tx, rx) = mpsc::channel();
        let input = text.clone();
        let worker = std::thread::spawn(move || {
            let _ = tx.send(generate("spec/lomi.yaml", &input));
        });
        let outcome = match rx.recv_timeout(HANG) {
            Ok(outcome) => outcome,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("run {run} (seed {seed}) did not finish within {HANG:?} on:\n{text}")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = worker.join();
                panic!("run {run} (seed {seed}) panicked on:\n{text}")
            }
        };
        let _ = worker.join();
        match outcome {
            Ok(out) => {
                assert!(!out.files.is_empty(), "run {run}: generated nothing");
                generated += 1;
            }
            Err(diags) => {
                assert!(
                    diags.iter().any(|d| d.is_error()),
                    "run {run}: refused without an error: {diags:#?}"
                );
                let lines = text.lines().count() + 1;
                for d in &diags {
                    assert_eq!(d.file, "spec/lomi.yaml");
                    assert!(
                        d.line.is_none_or(|l| (1..=lines).contains(&l)),
                        "run {run}: line {:?} is outside the {lines}-line spec: {d}",
                        d.line
                    );
                }
                if let Some(d) = diags.iter().find(|d| d.message.starts_with("progenitor ")) {
                    if std::env::var_os("LOMI_SHOW_CAUGHT").is_some() {
                        println!("run {run}: {d}\n{text}");
                    }
                    caught += 1;
                }
                refused += 1;
            }
        }
    }
    println!(
        "{runs} mutations: {generated} generated, {refused} refused with diagnostics \
         ({caught} only by the progenitor guard)"
    );
}
