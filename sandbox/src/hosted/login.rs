//! Fake Login with Amazon: the sign-in page `amazon.Login.authorize` opens (implicit grant, `response_type=token`),
//! the profile API (`/user/profile`) and the token check (`/auth/o2/tokeninfo`).
//!
//! Popup sign-ins answer the opener with `postMessage` (to the origin of `redirect_uri` only) and close; without an
//! opener they fall back to a redirect with the token in the query. `popup=false` redirects with it in the fragment.

use super::page::{actions, fieldset, hidden, html, html_escape, is_web_url, layout, origin_of, radio, with_fragment, with_query, Fields, PageError};
use super::see_other;
use crate::amazon::{ACCESS_TOKEN_LIFETIME, BUYERS};
use crate::state::Sandbox;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

const SIGNIN: &str = "/sandbox/amazon/ap/signin";
/// The scopes Login with Amazon grants for Amazon Pay.
const SCOPES: &[&str] = &["profile", "profile:user_id", "postal_code", "payments:widget", "payments:shipping_address", "payments:billing_address"];

/// One `authorize` request, as the sign-in page received it.
#[derive(Debug, Clone)]
struct AuthRequest {
    client_id: String,
    redirect_uri: String,
    scope: String,
    response_type: String,
    state: Option<String>,
    popup: bool,
}

impl AuthRequest {
    /// Refuses (with a page, never a redirect) what makes the redirect target untrustworthy.
    fn parse(fields: &Fields) -> Result<AuthRequest, PageError> {
        let client_id = fields.require("client_id")?.to_owned();
        let redirect_uri = fields.require("redirect_uri")?.to_owned();
        if !is_web_url(&redirect_uri) {
            return Err(PageError::bad_request("invalid_request", "redirect_uri must be an absolute http(s) URL."));
        }
        Ok(AuthRequest {
            client_id,
            redirect_uri,
            scope: fields.get("scope").unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" "),
            response_type: fields.get("response_type").unwrap_or("token").to_owned(),
            state: fields.get("state").map(str::to_owned),
            popup: !matches!(fields.get("popup"), Some("false" | "0")),
        })
    }

    /// What OAuth sends back to `redirect_uri` as an error instead of showing the page.
    fn problem(&self) -> Option<(&'static str, String)> {
        if self.response_type != "token" {
            return Some(("unsupported_response_type", format!("The sandbox supports response_type=token only, not '{}'.", self.response_type)));
        }
        if self.scope.is_empty() {
            return Some(("invalid_scope", "The request is missing the scope.".to_owned()));
        }
        self.scope.split(' ').find(|s| !SCOPES.contains(s)).map(|unknown| ("invalid_scope", format!("An unknown scope was requested: {unknown}")))
    }

    fn fields(&self) -> Vec<(&str, &str)> {
        let mut fields = vec![
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("scope", self.scope.as_str()),
            ("response_type", self.response_type.as_str()),
            ("popup", if self.popup { "true" } else { "false" }),
        ];
        if let Some(state) = &self.state {
            fields.push(("state", state));
        }
        fields
    }

    /// Hands `pairs` (the token or the error) back: to the opener (popup) or by redirect (fragment).
    fn answer(&self, pairs: Vec<(&str, String)>) -> Response {
        let mut pairs = pairs;
        if let Some(state) = &self.state {
            pairs.push(("state", state.clone()));
        }
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if !self.popup {
            return see_other(&with_fragment(&self.redirect_uri, &borrowed));
        }
        let mut response = serde_json::Map::new();
        let failed = pairs.iter().any(|(k, _)| *k == "error");
        response.insert("status".into(), json!(if failed { "error" } else { "complete" }));
        for (k, v) in &pairs {
            let value = if *k == "expires_in" { v.parse::<u64>().map(|n| json!(n)).unwrap_or_else(|_| json!(v)) } else { json!(v) };
            response.insert((*k).into(), value);
        }
        let fallback = with_query(&self.redirect_uri, &borrowed);
        let origin = origin_of(&self.redirect_uri).unwrap_or_default();
        let body = format!(
            "<p role=\"status\">Returning you to the shop…</p><p><a id=\"lwa-continue\" href=\"{fallback}\">Continue to the shop</a></p>\
<div id=\"lwa-result\" hidden data-origin=\"{origin}\" data-response=\"{response}\"></div>\
<script>(function(){{var el=document.getElementById(\"lwa-result\");var data=JSON.parse(el.dataset.response);\
var opener=window.opener;if(opener&&!opener.closed){{try{{opener.postMessage({{source:\"amazon-pay-sandbox-login\",response:data}},el.dataset.origin);\
window.close();return;}}catch(e){{}}}}location.replace(document.getElementById(\"lwa-continue\").href);}})();</script>",
            fallback = html_escape(&fallback),
            origin = html_escape(&origin),
            response = html_escape(&serde_json::Value::Object(response).to_string()),
        );
        html(StatusCode::OK, layout(if failed { "Sign-in cancelled" } else { "Signed in" }, &body))
    }
}

/// `GET /sandbox/amazon/ap/signin?client_id&scope&redirect_uri&response_type=token&popup&state`.
pub(crate) async fn signin_page(State(shared): State<Arc<Sandbox>>, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let request = AuthRequest::parse(&Fields::from_query(query)?)?;
    if let Some((error, description)) = request.problem() {
        return Ok(request.answer(vec![("error", error.to_owned()), ("error_description", description)]));
    }
    let buyers: String = BUYERS.iter().enumerate().map(|(i, b)| radio("buyer", b.id, i == 0, &[b.name, b.email, b.note])).collect();
    let body = format!(
        "<p>Sandbox: the shop <strong>{client}</strong> asks to read: {scopes}.</p>\
<form method=\"post\" action=\"{action}\">{hidden}{buyers}{actions}</form>",
        client = html_escape(&request.client_id),
        scopes = html_escape(&request.scope),
        action = html_escape(&format!("{}{SIGNIN}", sandbox.public_url)),
        hidden = hidden(&request.fields()),
        buyers = fieldset("Amazon test account", &buyers),
        actions = actions("Allow", "Cancel"),
    );
    Ok(html(StatusCode::OK, layout("Sign in with Amazon", &body)))
}

/// `POST /sandbox/amazon/ap/signin`: Allow issues a token for the chosen buyer; Cancel answers `access_denied`.
pub(crate) async fn signin_submit(State(shared): State<Arc<Sandbox>>, body: String) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let form = Fields::parse(&body)?;
    let request = AuthRequest::parse(&form)?;
    if let Some((error, description)) = request.problem() {
        return Ok(request.answer(vec![("error", error.to_owned()), ("error_description", description)]));
    }
    if form.cancelled() {
        return Ok(request.answer(vec![("error", "access_denied".into()), ("error_description", "The user denied the request.".into())]));
    }
    let scopes: Vec<&str> = request.scope.split(' ').collect();
    let token = sandbox.amazon.issue_token_for_client(form.require("buyer")?, &scopes, &request.client_id)?;
    Ok(request.answer(vec![
        ("access_token", token),
        ("token_type", "bearer".into()),
        ("expires_in", ACCESS_TOKEN_LIFETIME.as_secs().to_string()),
        ("scope", request.scope.clone()),
    ]))
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (status, Json(json!({ "error": error, "error_description": description }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        if let Ok(value) = format!("Bearer error=\"{error}\"").parse() {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}

/// The bearer token of `Authorization: bearer …` (any case), else `?access_token=`.
fn bearer_token(headers: &HeaderMap, query: &Fields) -> Option<String> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")).map(|(_, t)| t.trim().to_owned()));
    from_header.or_else(|| query.get("access_token").map(str::to_owned)).filter(|t| !t.is_empty())
}

/// `GET /sandbox/amazon/user/profile` with `Authorization: bearer <token>`: Amazon's profile JSON.
pub(crate) async fn profile(State(shared): State<Arc<Sandbox>>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let sandbox: &Sandbox = &shared;
    sandbox.amazon.count_profile_read();
    let query = Fields::from_query(query).unwrap_or_default();
    let Some(token) = bearer_token(&headers, &query) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "The request is missing the access token.");
    };
    let Some(info) = sandbox.amazon.token_info(&token) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "The access token is invalid or has expired.");
    };
    let has = |scope: &str| info.scopes.iter().any(|s| s == scope);
    if !has("profile") && !has("profile:user_id") {
        return oauth_error(StatusCode::FORBIDDEN, "insufficient_scope", "The access token was not granted the profile scope.");
    }
    let mut profile = serde_json::Map::new();
    profile.insert("user_id".into(), json!(info.buyer.user_id()));
    if has("profile") {
        profile.insert("name".into(), json!(info.buyer.name));
        profile.insert("email".into(), json!(info.buyer.email));
    }
    if has("postal_code") {
        if let Some(address) = info.buyer.addresses.first() {
            profile.insert("postal_code".into(), json!(address.zip));
        }
    }
    ([(header::CACHE_CONTROL, "no-store")], Json(serde_json::Value::Object(profile))).into_response()
}

fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// `GET /sandbox/amazon/auth/o2/tokeninfo?access_token=…`: whom the token was issued to (`aud`) and for how long.
pub(crate) async fn tokeninfo(State(shared): State<Arc<Sandbox>>, RawQuery(query): RawQuery) -> Response {
    let sandbox: &Sandbox = &shared;
    let query = Fields::from_query(query).unwrap_or_default();
    let Some(token) = query.get("access_token") else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "The request is missing a required parameter : access_token");
    };
    let Some(info) = sandbox.amazon.token_info(token) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_token", "The request has an invalid parameter : access_token");
    };
    let left = info.expires_at.duration_since(SystemTime::now()).map(|d| d.as_secs()).unwrap_or(0);
    let body = json!({
        "iss": "https://www.amazon.com",
        "user_id": info.buyer.user_id(),
        "aud": info.client_id,
        "app_id": info.client_id,
        "exp": left,
        "iat": unix_seconds(info.issued_at),
    });
    ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}
