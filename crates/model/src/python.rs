//! The experiment's Python: one program ([`cpython`]) that the page shows, lets the visitor edit,
//! runs in CPython (`engine=cpython`), and that runs at home as it is. How edited code travels in
//! a link is the URL's concern (`experiment::code_link`).

pub mod cpython;

/// Groups the digits of `n` in threes with `separator`: `group_digits(2000000, '_')` is
/// `2_000_000`, as the notebook writes it.
pub fn group_digits(n: u64, separator: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// `2000000` → `2_000_000`.
pub fn underscored(n: u64) -> String {
    group_digits(n, '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_python_writes_them() {
        assert_eq!(underscored(2_000_000), "2_000_000");
        assert_eq!(underscored(999), "999");
        assert_eq!(group_digits(1234567, ' '), "1 234 567");
    }
}
