//! Opaque, tamper-evident cursors: `base64url(list \0 key) . base64url(hmac)`. A cursor is
//! bound to the list it came from; a forged or foreign one is BAD_USER_INPUT.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use lakecat_core::Error;
use lakecat_core::page::PageRequest;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn sign(key: &[u8], payload: &[u8]) -> Result<Vec<u8>, Error> {
    let mut mac =
        HmacSha256::new_from_slice(key).map_err(|e| Error::internal(format!("cursor key: {e}")))?;
    mac.update(payload);
    Ok(mac.finalize().into_bytes().to_vec())
}

pub fn encode(key: &[u8], list: &str, sort_key: &str) -> Result<String, Error> {
    let payload = format!("{list}\0{sort_key}");
    let sig = sign(key, payload.as_bytes())?;
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(sig)
    ))
}

pub fn decode(key: &[u8], list: &str, cursor: &str) -> Result<String, Error> {
    let bad = || {
        Error::bad_input(
            "after",
            "invalid cursor: pass an endCursor or edge cursor of this same list",
        )
    };
    if cursor.len() > 2048 {
        return Err(bad());
    }
    let (p, s) = cursor.split_once('.').ok_or_else(bad)?;
    let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| bad())?;
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
    let mut mac =
        HmacSha256::new_from_slice(key).map_err(|e| Error::internal(format!("cursor key: {e}")))?;
    mac.update(&payload);
    mac.verify_slice(&sig).map_err(|_| bad())?;
    let text = String::from_utf8(payload).map_err(|_| bad())?;
    let (l, k) = text.split_once('\0').ok_or_else(bad)?;
    if l != list {
        return Err(bad());
    }
    Ok(k.to_owned())
}

/// Validates `first` and decodes `after` for one list.
pub fn page_request(
    key: &[u8],
    list: &str,
    first: Option<i32>,
    after: Option<String>,
) -> Result<PageRequest, Error> {
    let after = after.map(|c| decode(key, list, &c)).transpose()?;
    PageRequest::new(first, after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_evidence() {
        let key = b"k".to_vec();
        let c = encode(&key, "datasets", "ds_1").unwrap_or_default();
        assert_eq!(decode(&key, "datasets", &c).ok(), Some("ds_1".to_owned()));
        assert!(
            decode(&key, "tables:ds_1", &c).is_err(),
            "bound to its list"
        );
        assert!(
            decode(b"other", "datasets", &c).is_err(),
            "bound to the key"
        );
        let (p, s) = c.split_once('.').unwrap_or_default();
        let forged = format!("{}.{}", URL_SAFE_NO_PAD.encode("datasets\0ds_2"), s);
        assert!(decode(&key, "datasets", &forged).is_err());
        assert!(decode(&key, "datasets", &format!("{p}.")).is_err());
        assert!(decode(&key, "datasets", "garbage").is_err());
    }
}
