//! Edited code in a link (`code=`): the page's editor compresses the text (deflate) and writes
//! it in URL-safe base64; this module checks what a URL brings before the editor reads it.

use crate::experiment::notice::Reason;
use crate::experiment::params::MAX_ENCODED;

/// `value` as a `code=` parameter: compressed code in URL-safe base64, within [`MAX_ENCODED`].
/// Whether it really decompresses is the editor's to find out (it says so the same way).
pub fn check(value: &str) -> Result<&str, Reason> {
    let chars = value.chars().count();
    if chars > MAX_ENCODED {
        return Err(Reason::CodeTooLong {
            chars,
            max: MAX_ENCODED,
            in_link: true,
        });
    }
    let alphabet = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if value.is_empty() || !value.chars().all(alphabet) {
        return Err(Reason::CodeUnreadable);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_url_safe_base64_is_taken() {
        assert_eq!(check("eJzLSM3JyQcABiwCFQ"), Ok("eJzLSM3JyQcABiwCFQ"));
        assert_eq!(check("a-b_c9"), Ok("a-b_c9"));
        assert_eq!(check(""), Err(Reason::CodeUnreadable));
        assert_eq!(check("abc=="), Err(Reason::CodeUnreadable));
        assert_eq!(check("print('hi')"), Err(Reason::CodeUnreadable));
        let long = "A".repeat(MAX_ENCODED + 1);
        assert_eq!(
            check(&long),
            Err(Reason::CodeTooLong {
                chars: MAX_ENCODED + 1,
                max: MAX_ENCODED,
                in_link: true,
            })
        );
        assert!(check(&"A".repeat(MAX_ENCODED)).is_ok());
    }
}
