//! The witness's HTTP interface: `POST /add-checkpoint` of
//! c2sp.org/tlog-witness on a small blocking server (`tiny_http`).

use std::io::Read;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use thiserror::Error;

use crate::protocol::{format_size_body, AddCheckpointRequest, ADD_CHECKPOINT_PATH, SIZE_CONTENT_TYPE};
use crate::witness::Witness;

/// Largest request body read: a checkpoint, its signatures and 63 proof
/// lines fit many times over, and a hostile client cannot make us buffer more.
pub const MAX_BODY: u64 = 256 * 1024;

/// Worker threads: requests are short; the database serialises writes anyway.
const WORKERS: usize = 4;

const TEXT: &str = "text/plain; charset=utf-8";

/// Errors starting the server.
#[derive(Debug, Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
}

/// An HTTP response, before it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Value of the Content-Type header.
    pub content_type: &'static str,
    /// Response body.
    pub body: String,
}

impl Reply {
    fn text(status: u16, body: impl Into<String>) -> Self {
        let mut body = body.into();
        if !body.ends_with('\n') {
            body.push('\n');
        }
        Self {
            status,
            content_type: TEXT,
            body,
        }
    }
}

/// Answers one request. Pure apart from the witness's own state, so the
/// routing and the status codes can be tested without a socket.
pub fn handle(witness: &Witness, method: &str, path: &str, body: &[u8]) -> Reply {
    let path = path.split('?').next().unwrap_or(path);
    match (method, path) {
        ("POST", ADD_CHECKPOINT_PATH) => add_checkpoint(witness, body),
        (_, ADD_CHECKPOINT_PATH) => Reply::text(405, "use POST"),
        ("GET", "/") => {
            let key = witness.verifier().to_text();
            Reply::text(200, format!("c2sp.org/tlog-witness\n{key}"))
        }
        _ => Reply::text(404, "no such endpoint; POST checkpoints to /add-checkpoint"),
    }
}

fn add_checkpoint(witness: &Witness, body: &[u8]) -> Reply {
    let result = AddCheckpointRequest::parse(body)
        .map_err(Into::into)
        .and_then(|request| witness.add_checkpoint(&request));
    match result {
        Ok(cosignature) => Reply::text(200, cosignature.line),
        Err(error) => match error.latest_size() {
            Some(size) => Reply {
                status: 409,
                content_type: SIZE_CONTENT_TYPE,
                body: format_size_body(size),
            },
            None => Reply::text(error.status(), error.to_string()),
        },
    }
}

/// What the server did with one request, for an operator's log.
#[derive(Debug)]
pub struct Served<'a> {
    /// Request method.
    pub method: &'a str,
    /// Request path.
    pub path: &'a str,
    /// Client address, if known.
    pub peer: Option<SocketAddr>,
    /// Status sent.
    pub status: u16,
    /// Response body (a reason, a size or the cosignature).
    pub body: &'a str,
}

/// A bound HTTP server for one witness.
pub struct Server {
    http: tiny_http::Server,
    addr: SocketAddr,
    stopping: AtomicBool,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port; see [`Server::local_addr`]).
    pub fn bind(addr: impl ToSocketAddrs + std::fmt::Debug) -> Result<Self, ServeError> {
        let bind_error = |reason: String| ServeError::Bind {
            addr: format!("{addr:?}"),
            reason,
        };
        let listener = std::net::TcpListener::bind(&addr).map_err(|e| bind_error(e.to_string()))?;
        let local = listener.local_addr().map_err(|e| bind_error(e.to_string()))?;
        let http = tiny_http::Server::from_listener(listener, None).map_err(|e| bind_error(e.to_string()))?;
        Ok(Self {
            http,
            addr: local,
            stopping: AtomicBool::new(false),
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves requests until [`Server::stop`] is called, calling `log` after each.
    pub fn run(&self, witness: &Witness, log: &(dyn Fn(&Served<'_>) + Sync)) {
        std::thread::scope(|scope| {
            for _ in 0..WORKERS {
                scope.spawn(|| self.work(witness, log));
            }
        });
    }

    /// Makes [`Server::run`] return once the requests in progress are answered.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        for _ in 0..WORKERS {
            self.http.unblock();
        }
    }

    fn work(&self, witness: &Witness, log: &(dyn Fn(&Served<'_>) + Sync)) {
        while !self.stopping.load(Ordering::SeqCst) {
            match self.http.recv() {
                Ok(request) => respond(witness, request, log),
                // Failed accepts are transient (e.g. out of descriptors): back off.
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }
}

fn respond(witness: &Witness, mut request: tiny_http::Request, log: &(dyn Fn(&Served<'_>) + Sync)) {
    let method = request.method().as_str().to_owned();
    let path = request.url().to_owned();
    let peer = request.remote_addr().copied();
    let mut body = Vec::new();
    let reply = match request.as_reader().take(MAX_BODY + 1).read_to_end(&mut body) {
        Err(e) => Reply::text(400, format!("cannot read the request body: {e}")),
        Ok(_) if body.len() as u64 > MAX_BODY => Reply::text(413, "request body too large"),
        Ok(_) => handle(witness, &method, &path, &body),
    };
    log(&Served {
        method: &method,
        path: &path,
        peer,
        status: reply.status,
        body: &reply.body,
    });
    let mut response = tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
    if let Ok(header) = tiny_http::Header::from_bytes("Content-Type", reply.content_type) {
        response = response.with_header(header);
    }
    // The client may have gone away; nothing to do about it.
    let _ = request.respond(response);
}

/// Serves `witness` on `addr` until the process ends.
pub fn serve(addr: impl ToSocketAddrs + std::fmt::Debug, witness: &Witness) -> Result<(), ServeError> {
    Server::bind(addr)?.run(witness, &|_| {});
    Ok(())
}
