//! Canonical JSON (RFC 8785, JSON Canonicalization Scheme): the byte form of a
//! record that the transparency log hashes. Anyone can recompute it from the
//! published JSON with any JCS implementation.

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
#[error("cannot canonicalise record as JSON: {0}")]
pub struct CanonicalError(String);

/// Serialise `value` to RFC 8785 canonical JSON bytes.
pub fn to_canonical_json<T: Serialize>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    serde_json_canonicalizer::to_vec(value).map_err(|e| CanonicalError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Example from RFC 8785 §3.2.2 (key sorting by UTF-16 code units, ES6 number form).
    #[test]
    fn rfc8785_sorting_and_numbers() {
        let input: serde_json::Value = serde_json::from_str(
            r#"{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
                "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
                "literals": [null, true, false]}"#,
        )
        .unwrap_or_default();
        let out = to_canonical_json(&input).unwrap_or_default();
        assert_eq!(
            String::from_utf8(out).unwrap_or_default(),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
        );
    }
}
