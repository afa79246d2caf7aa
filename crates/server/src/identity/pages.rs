//! The sign-in pages: server-rendered HTML embedded in the binary. Plain, labelled form controls so
//! password managers, assistive technology and automation work. Every interpolated value is
//! HTML-escaped; pages carry `Cache-Control: no-store` and a strict Content-Security-Policy (no
//! scripts, except the one auto-submit script of the `form_post` page, allowed by its hash).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use time::macros::format_description;

use crate::http::context::RequestContext;

/// Entra's message for a wrong user name or password (AADSTS50126), shown on the sign-in page.
pub const WRONG_CREDENTIALS: &str =
    "Your account or password is incorrect. If you don't remember your password, reset it now.";

pub(crate) const PAGE_CSP: &str = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const AUTO_SUBMIT: &str = "document.forms[0].submit();";

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"none\">\n<title>{}</title>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        escape(title)
    )
}

/// An HTML response with the pages' headers.
pub fn respond(status: StatusCode, html: String, csp: &str) -> Response {
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}

pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
        escape(name),
        escape(value)
    )
}

/// The sign-in page: user name and password.
pub fn sign_in(
    action: &str,
    request: &str,
    csrf: &str,
    login_hint: &str,
    error: Option<&str>,
) -> Response {
    let alert = error
        .map(|e| format!("<p id=\"error\" role=\"alert\">{}</p>\n", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Sign in</h1>\n{alert}<form method=\"post\" action=\"{}\">\n{}{}<p><label for=\"login\">Email, phone, or Skype</label>\n<input type=\"email\" id=\"login\" name=\"login\" autocomplete=\"username\" required value=\"{}\"></p>\n<p><label for=\"passwd\">Password</label>\n<input type=\"password\" id=\"passwd\" name=\"passwd\" autocomplete=\"current-password\" required></p>\n<p><button type=\"submit\" id=\"idSIButton9\">Sign in</button></p>\n</form>",
        escape(action),
        hidden("csrf", csrf),
        hidden("request", request),
        escape(login_hint),
    );
    respond(
        StatusCode::OK,
        document("Sign in to your account", &body),
        PAGE_CSP,
    )
}

/// "Stay signed in?" after a successful password check.
pub fn stay_signed_in(
    action: &str,
    request: &str,
    csrf: &str,
    pending: &str,
    user: &str,
) -> Response {
    let body = format!(
        "<h1>Stay signed in?</h1>\n<p>{}</p>\n<p>Do this to reduce the number of times you are asked to sign in.</p>\n<form method=\"post\" action=\"{}\">\n{}{}{}<p><button type=\"submit\" name=\"kmsi\" value=\"no\" id=\"idBtn_Back\">No</button>\n<button type=\"submit\" name=\"kmsi\" value=\"yes\" id=\"idSIButton9\">Yes</button></p>\n</form>",
        escape(user),
        escape(action),
        hidden("csrf", csrf),
        hidden("request", request),
        hidden("pending", pending),
    );
    respond(StatusCode::OK, document("Stay signed in?", &body), PAGE_CSP)
}

/// What the consent page asks.
#[derive(Debug)]
pub struct ConsentPrompt<'a> {
    pub action: &'a str,
    pub request: &'a str,
    pub csrf: &'a str,
    pub pending: &'a str,
    pub user: &'a str,
    pub app: &'a str,
    /// The user-facing names of the permissions requested.
    pub permissions: &'a [String],
    /// The user may consent for themself.
    pub may_consent: bool,
    /// The user may consent on behalf of the organization (an administrator).
    pub may_consent_for_all: bool,
}

/// "Permissions requested": accept or cancel; administrators may consent for everyone. When the
/// user may not consent at all, the page says admin approval is needed and offers only going back.
pub fn consent(p: &ConsentPrompt<'_>) -> Response {
    let list: String = p
        .permissions
        .iter()
        .map(|name| format!("<li>{}</li>\n", escape(name)))
        .collect();
    let may = p.may_consent || p.may_consent_for_all;
    let (heading, intro) = if may {
        (
            "Permissions requested",
            format!("{} needs permission to:", escape(p.app)),
        )
    } else {
        (
            "Need admin approval",
            format!(
                "{} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.",
                escape(p.app)
            ),
        )
    };
    let for_all = if p.may_consent_for_all {
        "<p><input type=\"checkbox\" id=\"consent_org\" name=\"consent_org\" value=\"on\">\n<label for=\"consent_org\">Consent on behalf of your organization</label></p>\n"
    } else {
        ""
    };
    let accept = if may {
        "<button type=\"submit\" name=\"decision\" value=\"accept\" id=\"idSIButton9\">Accept</button>"
    } else {
        ""
    };
    let body = format!(
        "<h1>{heading}</h1>\n<p>{}</p>\n<p>{intro}</p>\n<ul id=\"permissions\">\n{list}</ul>\n<form method=\"post\" action=\"{}\">\n{}{}{}{for_all}<p><button type=\"submit\" name=\"decision\" value=\"cancel\" id=\"idBtn_Back\">{}</button>\n{accept}</p>\n</form>",
        escape(p.user),
        escape(p.action),
        hidden("csrf", p.csrf),
        hidden("request", p.request),
        hidden("pending", p.pending),
        if may { "Cancel" } else { "Back to app" },
    );
    respond(StatusCode::OK, document(heading, &body), PAGE_CSP)
}

/// The sign-in error page (spec 01 §8): code, message, Trace ID, Correlation ID, UTC timestamp.
pub fn error(status: StatusCode, aadsts: u32, message: &str) -> Response {
    let context = RequestContext::current();
    let timestamp = context
        .received
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default();
    let body = format!(
        "<h1>Sign-in failed</h1>\n<p id=\"message\">AADSTS{aadsts}: {}</p>\n<h2>Troubleshooting details</h2>\n<dl>\n<dt>Error code</dt><dd id=\"code\">AADSTS{aadsts}</dd>\n<dt>Trace ID</dt><dd id=\"trace-id\">{}</dd>\n<dt>Correlation ID</dt><dd id=\"correlation-id\">{}</dd>\n<dt>Timestamp</dt><dd id=\"timestamp\">{}</dd>\n</dl>",
        escape(message),
        escape(&context.request_id),
        escape(&context.client_request_id),
        escape(&timestamp),
    );
    respond(status, document("Sign-in failed", &body), PAGE_CSP)
}

/// The signed-out page. `frames` are the logout URLs of the applications the session signed in to
/// (front-channel logout), loaded in hidden iframes from `frame_origins`; `continue_to` is the
/// validated post-logout redirect URI, followed once the frames have loaded.
pub fn signed_out(
    frames: &[String],
    frame_origins: &[String],
    continue_to: Option<&str>,
) -> Response {
    let iframes: String = frames
        .iter()
        .map(|u| {
            format!(
                "<iframe hidden title=\"Signing out\" src=\"{}\"></iframe>\n",
                escape(u)
            )
        })
        .collect();
    let next = continue_to
        .map(|u| {
            format!(
                "<meta http-equiv=\"refresh\" content=\"2; url={0}\">\n<p><a id=\"continue\" href=\"{0}\">Continue</a></p>\n",
                escape(u)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>You signed out of your account</h1>\n<p id=\"message\">It's a good idea to close all browser windows.</p>\n{next}{iframes}"
    );
    let csp = match frame_origins.is_empty() {
        true => PAGE_CSP.to_owned(),
        false => format!("{PAGE_CSP}; frame-src {}", frame_origins.join(" ")),
    };
    respond(StatusCode::OK, document("Sign out", &body), &csp)
}

/// `response_mode=form_post`: a page that posts `fields` to `redirect_uri` (automatically when
/// scripts run, with a button otherwise).
pub fn form_post(redirect_uri: &str, fields: &[(&str, &str)]) -> Response {
    let inputs: String = fields.iter().map(|(k, v)| hidden(k, v)).collect();
    let body = format!(
        "<form method=\"post\" action=\"{}\">\n{inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><button type=\"submit\">Submit</button></noscript>\n</form>\n<script>{AUTO_SUBMIT}</script>",
        escape(redirect_uri)
    );
    let hash = STANDARD.encode(Sha256::digest(AUTO_SUBMIT.as_bytes()));
    let csp = format!("{PAGE_CSP}; script-src 'sha256-{hash}'");
    respond(StatusCode::OK, document("Working...", &body), &csp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
