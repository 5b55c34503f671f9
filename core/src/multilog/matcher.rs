//! 0.76's pattern matcher for `+` and `-` (LOG-4).
//!
//! Not a glob: a `*` followed by a byte skips to the **first** occurrence of
//! that byte and never reconsiders, and the pattern must use up the whole
//! line.

/// Whether `pattern` matches all of `line`.
//= spec/multilog.md#log-4
pub fn matches(pattern: &[u8], line: &[u8]) -> bool {
    let (mut p, mut s) = (pattern, line);
    loop {
        let Some((&first, rest)) = p.split_first() else {
            return s.is_empty();
        };
        p = rest;
        if first == b'*' {
            let Some(&next) = p.first() else {
                return true;
            };
            match memchr::memchr(next, s) {
                Some(at) => s = &s[at..],
                None => return false,
            }
            continue;
        }
        match s.split_first() {
            Some((&byte, rest)) if byte == first => s = rest,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/multilog.md#log-4
    #[test]
    fn the_examples_observed_on_0_76() {
        let cases: &[(&str, &str, bool)] = &[
            ("* one", "  one", false),
            ("* one", "xy one", true),
            ("* one", "xy one ", false),
            ("* * one", "x y one", true),
            ("* * one", "   one", false),
            ("a*c", "abcbc", false),
            ("a*c*", "abcbc", true),
            ("one*", "onetwo", true),
            ("*", "", true),
            ("", "", true),
            ("", "x", false),
            ("abc", "abc", true),
            ("abc", "ab", false),
            ("**", "a*b", true),
            ("**", "ab", false),
        ];
        for &(pattern, line, expected) in cases {
            assert_eq!(
                matches(pattern.as_bytes(), line.as_bytes()),
                expected,
                "{pattern:?} vs {line:?}"
            );
        }
    }

    //= spec/multilog.md#log-4
    #[test]
    fn nul_bytes_are_ordinary() {
        assert!(matches(b"a*", b"a\0b"));
        assert!(matches(b"x*y", b"x\0y"));
        assert!(!matches(b"xy", b"x\0y"));
    }
}
