//! What polepos parses at all: bounded input, so `check` and `add` stay bounded in time,
//! memory and stack on any file (SPEC §16).
//!
//! A syntax tree takes many times the memory of its source, and the parser, the tree's
//! drop and the walks over it recurse once per nesting level. Before any parse, one pass
//! over the bytes measures the nesting: the depth of brackets and of indentation, whose
//! limits are CPython's own (a deeper file does not compile, so it is an error), and an
//! upper bound on how deep an expression's tree can be (the operators in the element of
//! each open bracket, added up), past which the file is left unparsed and reported.
//! Files larger than [`MAX_SOURCE_BYTES`] are not read to the end at all.

/// Python files larger than this are not parsed (and not read past it).
pub(crate) const MAX_SOURCE_BYTES: usize = 5 * 1024 * 1024;
/// CPython's tokenizer refuses more nested brackets ("too many nested parentheses").
const MAX_BRACKET_DEPTH: usize = 200;
/// CPython's tokenizer refuses more indentation levels ("too many levels of indentation").
const MAX_INDENT_DEPTH: usize = 100;
/// The deepest expression tree polepos parses: well below CPython's own recursion limits
/// for ordinary code, and shallow enough for any thread's stack.
pub(crate) const MAX_EXPRESSION_DEPTH: usize = 1000;

/// Why a file is not parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Beyond {
    /// More than [`MAX_SOURCE_BYTES`].
    Size,
    /// Nested deeper than Python itself accepts: a syntax error in Python's eyes.
    PythonLimit { line: usize, message: String },
    /// Expressions possibly deeper than [`MAX_EXPRESSION_DEPTH`]: valid Python, perhaps,
    /// but not something polepos parses.
    ExpressionDepth { line: usize },
}

/// Whether `text` is within what polepos parses.
pub(crate) fn measure(text: &str) -> Result<(), Beyond> {
    if text.len() > MAX_SOURCE_BYTES {
        return Err(Beyond::Size);
    }
    Scan::default().run(text.as_bytes())
}

/// Words that nest the expression they stand in.
const NESTING_WORDS: &[&[u8]] = &[
    b"not", b"and", b"or", b"if", b"else", b"lambda", b"await", b"in", b"is", b"yield",
];

#[derive(Default)]
struct Scan {
    line: usize,
    /// Operators counted in the current element of each open bracket; the first entry is
    /// the logical line outside any bracket.
    elements: Vec<usize>,
    /// Indentation widths of the open blocks.
    indents: Vec<usize>,
}

impl Scan {
    fn run(mut self, bytes: &[u8]) -> Result<(), Beyond> {
        self.line = 1;
        self.elements.push(0);
        let mut i = 0;
        let mut at_line_start = true;
        while i < bytes.len() {
            if at_line_start && self.elements.len() == 1 {
                at_line_start = false;
                i = self.indentation(bytes, i)?;
                continue;
            }
            let byte = bytes[i];
            match byte {
                b'\n' => {
                    self.line += 1;
                    if self.elements.len() == 1 {
                        self.elements[0] = 0;
                        at_line_start = true;
                    }
                }
                b'\\' if matches!(bytes.get(i + 1), Some(b'\n' | b'\r')) => {
                    // A continued line is the same logical line.
                    self.line += 1;
                    i += if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                }
                b'#' => {
                    i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                    continue;
                }
                b'"' | b'\'' => {
                    i = self.string(bytes, b"", i)?;
                    continue;
                }
                b'(' | b'[' | b'{' => {
                    self.operator()?;
                    self.elements.push(0);
                    if self.elements.len() - 1 > MAX_BRACKET_DEPTH {
                        return Err(Beyond::PythonLimit {
                            line: self.line,
                            message: format!(
                                "brackets nested more than {MAX_BRACKET_DEPTH} deep (Python's limit: too many nested parentheses)"
                            ),
                        });
                    }
                }
                // An unmatched closing bracket is the parser's to report.
                b')' | b']' | b'}' if self.elements.len() > 1 => {
                    self.elements.pop();
                }
                b',' => *self.elements.last_mut().unwrap_or(&mut 0) = 0,
                b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' | b'<'
                | b'>' | b'.' | b'=' | b':' => self.operator()?,
                _ if byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80 => {
                    let end = i + bytes[i..]
                        .iter()
                        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80))
                        .unwrap_or(bytes.len() - i);
                    let word = &bytes[i..end];
                    if matches!(bytes.get(end), Some(b'"' | b'\'')) && is_string_prefix(word) {
                        i = self.string(bytes, word, end)?;
                        continue;
                    }
                    if NESTING_WORDS.contains(&word) {
                        self.operator()?;
                    }
                    i = end;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        Ok(())
    }

    /// One more level in the current element; fails past the bound.
    fn operator(&mut self) -> Result<(), Beyond> {
        if let Some(count) = self.elements.last_mut() {
            *count += 1;
        }
        let depth: usize =
            self.elements.iter().sum::<usize>() + self.elements.len() + self.indents.len();
        if depth > MAX_EXPRESSION_DEPTH {
            return Err(Beyond::ExpressionDepth { line: self.line });
        }
        Ok(())
    }

    /// Measures the indentation at the start of a logical line; returns where its code
    /// starts. Blank and comment-only lines do not count.
    fn indentation(&mut self, bytes: &[u8], start: usize) -> Result<usize, Beyond> {
        let width = bytes[start..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
            .count();
        let code = start + width;
        if matches!(bytes.get(code), None | Some(b'\n' | b'\r' | b'#')) {
            return Ok(code);
        }
        while self.indents.last().is_some_and(|open| *open > width) {
            self.indents.pop();
        }
        if width > 0 && self.indents.last() != Some(&width) {
            self.indents.push(width);
            if self.indents.len() > MAX_INDENT_DEPTH {
                return Err(Beyond::PythonLimit {
                    line: self.line,
                    message: format!(
                        "blocks nested more than {MAX_INDENT_DEPTH} deep (Python's limit: too many levels of indentation)"
                    ),
                });
            }
        }
        Ok(code)
    }

    /// Skips the string literal whose quote is at `start`; returns the index after it.
    /// Brackets inside an f-string's text count as brackets, since its replacement
    /// fields are parsed as expressions (a conservative bound for all the text).
    fn string(&mut self, bytes: &[u8], prefix: &[u8], start: usize) -> Result<usize, Beyond> {
        let formatted = prefix
            .iter()
            .any(|b| matches!(b, b'f' | b'F' | b't' | b'T'));
        let quote = bytes[start];
        let triple = bytes.get(start..start + 3) == Some(&[quote, quote, quote][..]);
        let mut i = start + if triple { 3 } else { 1 };
        let mut fields = 0usize;
        while i < bytes.len() {
            let byte = bytes[i];
            // A backslash keeps the next character from ending the string, in raw
            // strings too.
            if byte == b'\\' {
                if bytes.get(i + 1) == Some(&b'\n') {
                    self.line += 1;
                }
                i += 2;
                continue;
            }
            if byte == b'\n' {
                self.line += 1;
                if !triple {
                    return Ok(i);
                }
            }
            if formatted && matches!(byte, b'(' | b'[' | b'{') {
                fields += 1;
                if fields + self.elements.len() > MAX_BRACKET_DEPTH {
                    return Err(Beyond::PythonLimit {
                        line: self.line,
                        message: format!(
                            "brackets nested more than {MAX_BRACKET_DEPTH} deep (Python's limit: too many nested parentheses)"
                        ),
                    });
                }
            }
            if byte == quote && (!triple || bytes.get(i..i + 3) == Some(&[quote, quote, quote][..]))
            {
                return Ok(i + if triple { 3 } else { 1 });
            }
            i += 1;
        }
        Ok(i)
    }
}

/// `r`, `b`, `f`, `u`, `t` and their combinations, in either case.
fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2
        && word
            .iter()
            .all(|b| matches!(b.to_ascii_lowercase(), b'r' | b'b' | b'f' | b'u' | b't'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_code_is_within_limits() {
        let text = "import x\n\n\nclass A:\n    def f(self) -> int:\n        if True:\n            return (1 + 2) * 3\n        return [a.b for a in x if not a][0]\n";
        assert_eq!(measure(text), Ok(()));
        let data = format!("VALUES = [\n{}]\n", "    -1.5,\n".repeat(50_000));
        assert_eq!(measure(&data), Ok(()), "a long flat literal is shallow");
    }

    #[test]
    fn brackets_past_pythons_limit_are_refused() {
        let text = format!("x = {}1{}\n", "(".repeat(201), ")".repeat(201));
        assert!(matches!(
            measure(&text),
            Err(Beyond::PythonLimit { line: 1, .. })
        ));
        let fine = format!("x = {}1{}\n", "(".repeat(150), ")".repeat(150));
        assert_eq!(measure(&fine), Ok(()));
        let deep = "(".repeat(1_000_000);
        assert!(matches!(measure(&deep), Err(Beyond::PythonLimit { .. })));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = format!(
            "x = '{0}'\ny = \"\"\"\n{0}\n\"\"\"\n# {0}\nz = r'\\'{0}'\n",
            "(".repeat(500)
        );
        assert_eq!(measure(&text), Ok(()));
        let fstring = format!("x = f'{}'\n", "{(".repeat(150));
        assert!(matches!(measure(&fstring), Err(Beyond::PythonLimit { .. })));
    }

    #[test]
    fn indentation_past_pythons_limit_is_refused() {
        let mut text = String::new();
        for level in 0..101 {
            text.push_str(&format!("{}if x:\n", " ".repeat(level)));
        }
        text.push_str(&format!("{}pass\n", " ".repeat(101)));
        assert!(matches!(measure(&text), Err(Beyond::PythonLimit { .. })));
        let dedented = "if a:\n    if b:\n        x = 1\n    y = 2\nz = 3\n".repeat(1000);
        assert_eq!(measure(&dedented), Ok(()));
    }

    #[test]
    fn long_operator_chains_are_bounded() {
        let sum = format!("x = 1{}\n", " + 1".repeat(2_000));
        assert!(matches!(
            measure(&sum),
            Err(Beyond::ExpressionDepth { line: 1 })
        ));
        let unary = format!("x = {}1\n", "-".repeat(5_000));
        assert!(matches!(
            measure(&unary),
            Err(Beyond::ExpressionDepth { .. })
        ));
        let nots = format!("x = {}y\n", "not ".repeat(5_000));
        assert!(matches!(
            measure(&nots),
            Err(Beyond::ExpressionDepth { .. })
        ));
        let short = format!("x = 1{}\n", " + 1".repeat(300));
        assert_eq!(measure(&short), Ok(()));
        let many_lines = "x = a.b.c + d.e.f\n".repeat(10_000);
        assert_eq!(
            measure(&many_lines),
            Ok(()),
            "the count starts again on each line"
        );
    }

    #[test]
    fn size_past_the_limit_is_refused() {
        let text = "x = 1\n".repeat(MAX_SOURCE_BYTES / 6 + 1);
        assert_eq!(measure(&text), Err(Beyond::Size));
    }
}
