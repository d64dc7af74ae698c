//! The token a non-loopback server asks of every request.
//!
//! Scripts send `Authorization: Bearer TOKEN`. A browser opens `/?token=TOKEN` once:
//! the server answers with a cookie (HttpOnly, SameSite=Strict) and a redirect to the
//! same address without the token, so it leaves the address bar and the history.
//! Tokens are compared in constant time.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::ApiError;

const COOKIE: &str = "newswire_token";

/// The expected token, if one is required.
pub struct Token(Option<String>);

impl Token {
    pub fn new(token: Option<String>) -> Token {
        Token(token)
    }

    fn matches(&self, given: &str) -> bool {
        match &self.0 {
            None => true,
            Some(t) => bool::from(t.as_bytes().ct_eq(given.as_bytes())),
        }
    }
}

/// Lets a request through when no token is required or it carries the right one.
pub async fn check(State(token): State<Arc<Token>>, req: Request, next: Next) -> Response {
    if token.0.is_none() {
        return next.run(req).await;
    }
    if let Some(given) = bearer(req.headers()).or_else(|| cookie(req.headers())) {
        if token.matches(&given) {
            return next.run(req).await;
        }
    }
    // A browser's first visit: the token in the address.
    if let Some(query) = req.uri().query() {
        let mut rest = Vec::new();
        let mut given = None;
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            if k == "token" {
                given = Some(v.into_owned());
            } else {
                rest.push((k.into_owned(), v.into_owned()));
            }
        }
        if let Some(given) = given.filter(|g| token.matches(g)) {
            let mut location = req.uri().path().to_string();
            if !rest.is_empty() {
                location.push('?');
                location.push_str(
                    &form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(rest)
                        .finish(),
                );
            }
            let cookie = format!("{COOKIE}={given}; Path=/; HttpOnly; SameSite=Strict");
            let mut resp = StatusCode::SEE_OTHER.into_response();
            if let (Ok(loc), Ok(c)) = (
                HeaderValue::from_str(&location),
                HeaderValue::from_str(&cookie),
            ) {
                resp.headers_mut().insert(header::LOCATION, loc);
                resp.headers_mut().insert(header::SET_COOKIE, c);
                return resp;
            }
        }
    }
    let mut resp = ApiError {
        status: StatusCode::UNAUTHORIZED,
        message: "this server needs a token: send `Authorization: Bearer TOKEN`, or open \
                  /?token=TOKEN in the browser once"
            .into(),
    }
    .into_response();
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"newswire\""),
    );
    resp
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == COOKIE).then(|| v.to_string())
        })
}
