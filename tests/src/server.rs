//! A small HTTP/1.1 server on 127.0.0.1 for faults httpmock cannot stage: dropping a
//! connection after reading a request, answering too late, counting open connections.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server read it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `GET`, `POST`…
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    /// The body.
    pub body: Vec<u8>,
    /// Which connection it came on (0, 1, …).
    pub connection: usize,
    /// When its head was read.
    pub at: Instant,
}

impl Recorded {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// What to do with a request.
pub enum Reply {
    /// Answer with a status, extra headers and a body.
    Respond {
        /// HTTP status.
        status: u16,
        /// Extra headers (`content-length` is added).
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// Close the connection without answering (the request was read).
    Drop,
    /// Wait, then do the inner reply.
    After(Duration, Box<Reply>),
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// Adds a header to a `Respond`.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Handler = Arc<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

/// A running server; it stops when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    open: Arc<AtomicUsize>,
    max_open: Arc<AtomicUsize>,
    accepted: Arc<AtomicUsize>,
    busy: Arc<Busy>,
    task: tokio::task::JoinHandle<()>,
}

/// Requests read but not yet answered, now and at most.
#[derive(Default)]
struct Busy {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Starts a server answering request number `n` (from 0) with `handler(request, n)`.
    pub async fn start(
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let open = Arc::new(AtomicUsize::new(0));
        let max_open = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::new(AtomicUsize::new(0));
        let handler: Handler = Arc::new(handler);
        let counter = Arc::new(AtomicUsize::new(0));
        let busy = Arc::new(Busy::default());
        let task = {
            let (requests, open, max_open, accepted, busy) = (
                requests.clone(),
                open.clone(),
                max_open.clone(),
                accepted.clone(),
                busy.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        break;
                    };
                    let _ = stream.set_nodelay(true);
                    let connection = accepted.fetch_add(1, Ordering::SeqCst);
                    let now_open = open.fetch_add(1, Ordering::SeqCst) + 1;
                    max_open.fetch_max(now_open, Ordering::SeqCst);
                    let (requests, open, handler, counter, busy) = (
                        requests.clone(),
                        open.clone(),
                        handler.clone(),
                        counter.clone(),
                        busy.clone(),
                    );
                    tokio::spawn(async move {
                        let _ =
                            serve(stream, connection, &requests, &handler, &counter, &busy).await;
                        open.fetch_sub(1, Ordering::SeqCst);
                    });
                }
            })
        };
        TestServer {
            url,
            requests,
            open,
            max_open,
            accepted,
            busy,
            task,
        }
    }

    /// Every request read so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// The most connections that were open at once.
    pub fn max_open_connections(&self) -> usize {
        self.max_open.load(Ordering::SeqCst)
    }

    /// The most requests that were being answered at once.
    pub fn max_requests_in_flight(&self) -> usize {
        self.busy.max.load(Ordering::SeqCst)
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    connection: usize,
    requests: &Mutex<Vec<Recorded>>,
    handler: &Handler,
    counter: &AtomicUsize,
    busy: &Busy,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer, connection).await? else {
            return Ok(());
        };
        requests.lock().unwrap().push(request.clone());
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let now = busy.now.fetch_add(1, Ordering::SeqCst) + 1;
        busy.max.fetch_max(now, Ordering::SeqCst);
        let result = answer(&mut stream, handler(&request, n)).await;
        busy.now.fetch_sub(1, Ordering::SeqCst);
        if !result? {
            return Ok(());
        }
    }
}

/// Sends `reply`; `false` when the connection is to be dropped.
async fn answer(stream: &mut TcpStream, mut reply: Reply) -> std::io::Result<bool> {
    {
        loop {
            match reply {
                Reply::After(wait, inner) => {
                    tokio::time::sleep(wait).await;
                    reply = *inner;
                }
                Reply::Drop => return Ok(false),
                Reply::Respond {
                    status,
                    headers,
                    body,
                } => {
                    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                    for (name, value) in &headers {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
                    // One write: a separate small write for the body would wait on
                    // Nagle's algorithm and delayed ACKs (40 ms a response).
                    let mut message = head.into_bytes();
                    message.extend_from_slice(&body);
                    stream.write_all(&message).await?;
                    return Ok(true);
                }
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Reads one request (head and `content-length` body); `None` at a clean end of stream.
async fn read_request(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    connection: usize,
) -> std::io::Result<Option<Recorded>> {
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let at = Instant::now();
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("").to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[body_start..body_start + length].to_vec();
    buffer.drain(..body_start + length);
    Ok(Some(Recorded {
        method,
        target,
        headers,
        body,
        connection,
        at,
    }))
}
