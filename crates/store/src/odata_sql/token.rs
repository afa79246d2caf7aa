//! The opaque `$skiptoken`: the last row's sort keys, bound to the ordering it continues, with a
//! checksum so that a garbage or edited token is refused with Graph's 400 rather than reaching SQL.
//! Tokens carry no secret: a forged one can only move the cursor within the caller's own query.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::{Error, Result};
use serde_json::Value;

use super::filter::SqlValue;
use super::{ColumnKind, SortKey};

/// The longest token accepted, in characters.
const MAX_TOKEN_LENGTH: usize = 4096;

fn invalid() -> Error {
    Error::invalid("Invalid Skip Token")
}

/// FNV-1a over the ordering signature and the payload.
fn checksum(signature: &str, payload: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in signature
        .as_bytes()
        .iter()
        .chain([0u8].iter())
        .chain(payload)
    {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The token continuing after a row with these sort key `values`.
pub(super) fn encode(signature: &str, values: &[SqlValue]) -> String {
    let payload = Value::Array(
        values
            .iter()
            .map(|v| match v {
                SqlValue::Text(s) => Value::String(s.clone()),
                SqlValue::Int(i) => Value::from(*i),
                SqlValue::Bool(b) => Value::Bool(*b),
            })
            .collect(),
    )
    .to_string();
    let mut bytes = checksum(signature, payload.as_bytes())
        .to_be_bytes()
        .to_vec();
    bytes.extend_from_slice(payload.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The sort key values a token carries, checked against the `keys` of the current query.
pub(super) fn decode(token: &str, signature: &str, keys: &[SortKey]) -> Result<Vec<SqlValue>> {
    if token.len() > MAX_TOKEN_LENGTH {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    if bytes.len() < 8 {
        return Err(invalid());
    }
    let (sum, payload) = bytes.split_at(8);
    if sum != checksum(signature, payload).to_be_bytes() {
        return Err(invalid());
    }
    let Ok(Value::Array(values)) = serde_json::from_slice::<Value>(payload) else {
        return Err(invalid());
    };
    if values.len() != keys.len() {
        return Err(invalid());
    }
    values
        .into_iter()
        .zip(keys)
        .map(|(v, k)| match (k.kind, v) {
            (ColumnKind::Text | ColumnKind::Guid | ColumnKind::ExactText, Value::String(s)) => {
                Ok(SqlValue::Text(s))
            }
            (ColumnKind::Int | ColumnKind::Instant, Value::Number(n)) => {
                n.as_i64().map(SqlValue::Int).ok_or_else(invalid)
            }
            (ColumnKind::Bool, Value::Bool(b)) => Ok(SqlValue::Bool(b)),
            _ => Err(invalid()),
        })
        .collect()
}
