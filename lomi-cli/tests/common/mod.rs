//! What the `lomi` binary's tests share.

use std::future::Future;

/// Runs the server `serve` starts on a runtime of its own thread, for the rest of the
/// test process, and returns what `serve` sends once it listens (its URL).
pub fn in_the_background<F, Fut>(serve: F) -> String
where
    F: FnOnce(std::sync::mpsc::Sender<String>) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(serve(tx));
    });
    rx.recv().unwrap()
}
