//! `newswire serve`: the index over HTTP, as a web page and a JSON API.
//!
//! A thin room on top of the library: every handler parses its parameters, calls
//! the library's public search functions on a blocking thread, and writes JSON of
//! the same shapes the command line prints. The index is opened read-only; each
//! request looks at the index's last commit, so a `newswire index` running beside
//! the server is seen within one request of its commit.
//!
//! Security: article text is hostile input (the page never puts it in markup, and a
//! strict Content-Security-Policy forbids inline script); every request has a time
//! limit and a size limit; only the embedded assets are served; nothing over HTTP
//! writes to the index. Off loopback a token is required on every request.

mod api;
mod assets;
mod auth;
mod export;
mod params;

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use newswire::jsonl::{ErrorObject, Tagged};
use newswire::store::Store;

/// A checked `serve` configuration.
pub struct Settings {
    store: Store,
    addr: SocketAddr,
    token: Option<String>,
    cluster: Option<newswire::remote::Client>,
}

impl Settings {
    /// Opens the index and checks that a non-loopback address comes with a token.
    pub fn new(
        index: &Path,
        bind: &str,
        token: Option<String>,
        cluster: Option<newswire::remote::Client>,
    ) -> Result<Settings> {
        let addr = bind
            .to_socket_addrs()
            .with_context(|| {
                format!("--bind {bind:?} is not an address: write e.g. 127.0.0.1:7700")
            })?
            .next()
            .with_context(|| format!("--bind {bind:?} names no address"))?;
        let token = token.filter(|t| !t.is_empty());
        if !addr.ip().is_loopback() && token.is_none() {
            bail!(
                "refusing to serve on {addr} without a token: anyone who can reach that \
                 address could read the archive. Give one with --token TOKEN (or \
                 NEWSWIRE_TOKEN), or bind 127.0.0.1 to serve this machine only"
            );
        }
        if let Some(t) = &token {
            if t.len() < 8 {
                bail!(
                    "--token is too short: use at least 8 characters (e.g. `openssl rand -hex 16`)"
                );
            }
        }
        let store = match &cluster {
            // The page's searches go to the cluster: no local index needed.
            Some(_) => Store::in_memory()?,
            None => Store::open(index).context("cannot serve")?,
        };
        Ok(Settings {
            store,
            addr,
            token,
            cluster,
        })
    }
}

/// What every handler shares.
pub struct State {
    pub store: Store,
    /// The cluster that answers instead of `store`, when serving one.
    pub cluster: Option<newswire::remote::Client>,
    pub walks: params::Walks,
    /// Searches running at once (each takes a core); the rest wait their turn.
    pub searches: tokio::sync::Semaphore,
}

pub type Shared = Arc<State>;

/// Largest request accepted (the API takes no bodies; this bounds what is read).
const MAX_BODY: usize = 16 * 1024;
/// Requests handled at once; more wait in the accept queue.
const MAX_IN_FLIGHT: usize = 256;

/// Serves until Ctrl-C.
pub fn run(settings: Settings, timeout: Duration) -> Result<()> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.clamp(2, 8))
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(serve(settings, timeout, threads))
}

async fn serve(settings: Settings, timeout: Duration, threads: usize) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .with_context(|| format!("cannot listen on {}", settings.addr))?;
    let local = listener.local_addr()?;
    let serving = match &settings.cluster {
        Some(c) => format!("{}/{}", c.target.url, c.target.index),
        None => std::fs::canonicalize(&settings.store.dir)
            .unwrap_or(settings.store.dir.clone())
            .display()
            .to_string(),
    };
    let state: Shared = Arc::new(State {
        store: settings.store,
        cluster: settings.cluster,
        walks: params::Walks::default(),
        searches: tokio::sync::Semaphore::new(threads * 2),
    });
    let app = router(state, settings.token, timeout);
    let host = if local.ip().is_unspecified() {
        "localhost".to_string()
    } else {
        local.ip().to_string()
    };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    eprintln!(
        "newswire: serving {} at http://{host}:{}/ (Ctrl-C to stop)",
        serving,
        local.port()
    );
    axum::serve(listener, app.0)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("newswire: stopping");
        })
        .await
        .context("serving")?;
    Ok(())
}

/// The routes and the layers around them; also returns the index folder served.
fn router(state: Shared, token: Option<String>, timeout: Duration) -> (Router, std::path::PathBuf) {
    let dir = state.store.dir.clone();
    let api = Router::new()
        .route("/search", get(api::search))
        .route("/timeline", get(api::timeline))
        .route("/articles/{id}", get(api::article))
        .route("/articles/{id}/similar", get(api::similar))
        .route("/entities/{kind}/{name}", get(api::entity))
        .route("/suggest", get(api::suggest))
        .route("/stats", get(api::stats))
        .route("/alerts", get(api::alerts))
        .route("/export.csv", get(export::csv))
        .route("/openapi.json", get(assets::openapi))
        .fallback(api::not_found);
    let app = Router::new()
        .nest("/api/v1", api)
        .route("/", get(assets::page))
        .route("/article/{*rest}", get(assets::page))
        .route("/entity/{*rest}", get(assets::page))
        .route("/assets/{name}", get(assets::asset))
        .fallback(api::not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(auth::Token::new(token)),
            auth::check,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(
                        "default-src 'none'; script-src 'self'; style-src 'self'; \
                         img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
                         form-action 'self'; frame-ancestors 'none'",
                    ),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(CompressionLayer::new())
                .layer(RequestBodyLimitLayer::new(MAX_BODY))
                .layer(tower::limit::ConcurrencyLimitLayer::new(MAX_IN_FLIGHT))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    timeout,
                )),
        );
    (app, dir)
}

/// An API error: its status and message, sent as `{"type":"error",...}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    /// What a server answering from a cluster cannot do yet.
    pub fn local_only(what: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_IMPLEMENTED,
            message: format!(
                "{what} works on a local index only; this server answers from a cluster"
            ),
        }
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
        }
    }
}

impl From<newswire::search::SearchError> for ApiError {
    fn from(e: newswire::search::SearchError) -> ApiError {
        match e {
            newswire::search::SearchError::Query(q) => ApiError::bad_request(q.to_string()),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<newswire::remote::RemoteError> for ApiError {
    fn from(e: newswire::remote::RemoteError) -> ApiError {
        use newswire::remote::RemoteError;
        match e {
            RemoteError::Search(s) => s.into(),
            other => ApiError {
                status: StatusCode::BAD_GATEWAY,
                message: other.to_string(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(serde::Serialize)]
        struct WithStatus {
            status: u16,
            #[serde(flatten)]
            error: ErrorObject,
        }
        let body = WithStatus {
            status: self.status.as_u16(),
            error: ErrorObject {
                error: self.message,
            },
        };
        json_response(self.status, &Tagged::new("error", &body))
    }
}

/// A JSON response.
pub fn json_response<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
