//! The anchored patterns field specs carry (`^[a-z0-9-]{3,30}$` and the like), matched without
//! a regular-expression engine: character classes, literals and `.`, each with an optional
//! `?`, `*`, `+` or `{m}`, `{m,}`, `{m,n}`. That is what the UI's `RegExp` reads the same
//! way; anything else (groups, alternation) is not understood and reported as such.

/// Whether all of `text` matches `pattern`; `None` when the pattern uses syntax beyond the
/// subset above.
pub(super) fn matches(pattern: &str, text: &str) -> Option<bool> {
    let atoms = parse(pattern)?;
    let chars: Vec<char> = text.chars().collect();
    Some(match_from(&atoms, &chars))
}

/// The distinct characters of `text` that no position of `pattern` accepts, in the order
/// they first appear: what a message names when the text breaks the pattern. `None` when
/// the pattern uses syntax beyond the subset above.
pub(super) fn refused_chars(pattern: &str, text: &str) -> Option<Vec<char>> {
    let atoms = parse(pattern)?;
    let mut refused = Vec::new();
    for c in text.chars() {
        if !refused.contains(&c) && !atoms.iter().any(|atom| atom.class.accepts(c)) {
            refused.push(c);
        }
    }
    Some(refused)
}

/// What one position of the pattern accepts.
#[derive(Debug)]
enum Class {
    Any,
    Literal(char),
    /// `[…]`: ranges (a single character is a range of one), negated with `^`.
    Set {
        ranges: Vec<(char, char)>,
        negated: bool,
    },
}

impl Class {
    fn accepts(&self, c: char) -> bool {
        match self {
            Class::Any => c != '\n',
            Class::Literal(literal) => c == *literal,
            Class::Set { ranges, negated } => {
                ranges.iter().any(|(low, high)| (*low..=*high).contains(&c)) != *negated
            }
        }
    }
}

/// A class repeated between `min` and `max` times (`None`: without limit).
#[derive(Debug)]
struct Atom {
    class: Class,
    min: usize,
    max: Option<usize>,
}

fn parse(pattern: &str) -> Option<Vec<Atom>> {
    let body = pattern.strip_prefix('^')?.strip_suffix('$')?;
    let mut chars = body.chars().peekable();
    let mut atoms = Vec::new();
    while let Some(c) = chars.next() {
        let class = match c {
            '.' => Class::Any,
            '\\' => Class::Literal(escaped(chars.next()?)?),
            '[' => {
                let negated = chars.next_if_eq(&'^').is_some();
                let mut ranges = Vec::new();
                loop {
                    let low = match chars.next()? {
                        ']' if !ranges.is_empty() => break,
                        '\\' => escaped(chars.next()?)?,
                        other => other,
                    };
                    let high = if chars.peek() == Some(&'-') {
                        chars.next();
                        match chars.peek() {
                            // A `-` last in the class is itself.
                            Some(']') => {
                                ranges.push(('-', '-'));
                                low
                            }
                            _ => match chars.next()? {
                                '\\' => escaped(chars.next()?)?,
                                other => other,
                            },
                        }
                    } else {
                        low
                    };
                    if high < low {
                        return None;
                    }
                    ranges.push((low, high));
                }
                Class::Set { ranges, negated }
            }
            '(' | ')' | '|' | '*' | '+' | '?' | '{' | '}' | '^' | '$' => return None,
            literal => Class::Literal(literal),
        };
        let (min, max) = match chars.peek() {
            Some('?') => (0, Some(1)),
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('{') => {
                chars.next();
                let mut inside = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        c => inside.push(c),
                    }
                }
                let (min, max) = match inside.split_once(',') {
                    None => {
                        let n = inside.parse().ok()?;
                        (n, Some(n))
                    }
                    Some((min, "")) => (min.parse().ok()?, None),
                    Some((min, max)) => (min.parse().ok()?, Some(max.parse().ok()?)),
                };
                atoms.push(Atom { class, min, max });
                continue;
            }
            _ => (1, Some(1)),
        };
        if (min, max) != (1, Some(1)) {
            chars.next();
        }
        atoms.push(Atom { class, min, max });
    }
    Some(atoms)
}

/// The character a `\x` stands for, when it stands for one.
fn escaped(c: char) -> Option<char> {
    (!c.is_ascii_alphanumeric()).then_some(c)
}

/// Whether `atoms` match all of `text`, trying the longest run of each atom first.
fn match_from(atoms: &[Atom], text: &[char]) -> bool {
    let Some((atom, rest)) = atoms.split_first() else {
        return text.is_empty();
    };
    let run = text.iter().take_while(|c| atom.class.accepts(**c)).count();
    let longest = atom.max.map_or(run, |max| run.min(max));
    (atom.min..=longest)
        .rev()
        .any(|taken| match_from(rest, &text[taken..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_class_matches_only_whole_text_of_that_length() {
        let pattern = "^[a-z0-9-]{3,30}$";
        for ok in ["abc", "pos-terminal-7", &"a".repeat(30)] {
            assert_eq!(matches(pattern, ok), Some(true), "{ok}");
        }
        for bad in [
            "ab",
            "Upper",
            "with space",
            "under_score",
            &"a".repeat(31),
            "",
        ] {
            assert_eq!(matches(pattern, bad), Some(false), "{bad}");
        }
    }

    #[test]
    fn quantifiers_literals_and_negation() {
        assert_eq!(matches("^ab?c*d+$", "ad"), Some(true));
        assert_eq!(matches("^ab?c*d+$", "abccdd"), Some(true));
        assert_eq!(matches("^ab?c*d+$", "abc"), Some(false));
        assert_eq!(matches("^[^ ]{2}x$", "a-x"), Some(true));
        assert_eq!(matches("^[^ ]{2}x$", "a x"), Some(false));
        assert_eq!(matches("^a{2,}$", "aaaa"), Some(true));
        assert_eq!(matches("^a{2,}$", "a"), Some(false));
        assert_eq!(matches("^\\.[a-]$", ".-"), Some(true));
        // Backtracking: the class gives back what the literal after it needs.
        assert_eq!(matches("^[a-z]+z$", "abz"), Some(true));
    }

    #[test]
    fn refused_characters_are_those_no_position_accepts() {
        let pattern = "^[a-z0-9-]{3,30}$";
        assert_eq!(
            refused_chars(pattern, "Bad Name B"),
            Some(vec!['B', ' ', 'N'])
        );
        assert_eq!(refused_chars(pattern, "ab"), Some(vec![]));
        assert_eq!(refused_chars("^(a|b)$", "c"), None);
    }

    #[test]
    fn syntax_beyond_the_subset_is_not_guessed_at() {
        for pattern in ["^(a|b)$", "abc", "^[z-a]$", "^a{x}$", "^\\d$"] {
            assert_eq!(matches(pattern, "a"), None, "{pattern}");
        }
    }
}
