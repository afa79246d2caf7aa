//! OData `$filter`: the expression tree and a hand-written recursive-descent parser for the subset of
//! the OData ABNF that Microsoft Graph supports on directory objects.
//!
//! Grammar (keywords and function names are case-insensitive, as in Graph):
//!
//! ```text
//! or      := and ( "or" and )*
//! and     := unary ( "and" unary )*
//! unary   := "not" unary | primary
//! primary := "(" or ")"
//!          | ("startswith" | "endswith") "(" path "," string ")"
//!          | path "/" ("any" | "all") "(" [ name ":" or ] ")"
//!          | path ("eq" | "ne" | "gt" | "ge" | "lt" | "le") literal
//!          | path "in" "(" literal ( "," literal )* ")"
//! path    := name ( "/" name )*
//! literal := 'string' (with '' for a quote) | integer | true | false | null
//!          | date | DateTimeOffset | GUID (unquoted)
//! ```
//!
//! The parser only checks syntax; [`super::options`] checks properties, operators and literal types
//! against a collection. Errors are Graph's 400 `BadRequest` "Invalid filter clause: ..." with
//! OData's wording. Input length and nesting depth are bounded so no input can exhaust the stack.

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{Error, Result};

/// The longest `$filter` accepted, in bytes (Graph's URLs are limited to 8 KB).
pub const MAX_FILTER_LENGTH: usize = 8192;
/// The deepest nesting of parentheses, `not` and lambdas accepted.
pub const MAX_DEPTH: usize = 32;

/// A parsed `$filter` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// All of the operands (`a and b and c`).
    And(Vec<Filter>),
    /// Any of the operands (`a or b or c`).
    Or(Vec<Filter>),
    Not(Box<Filter>),
    /// `path op literal`.
    Compare {
        path: Path,
        op: CompareOp,
        value: Literal,
    },
    /// `path in (v1, v2, ...)`.
    In {
        path: Path,
        values: Vec<Literal>,
    },
    /// `startswith(path, 'prefix')`.
    StartsWith {
        path: Path,
        prefix: String,
    },
    /// `endswith(path, 'suffix')`.
    EndsWith {
        path: Path,
        suffix: String,
    },
    /// `path/any(v: predicate)`, or `path/any()` (the collection is not empty). Inside the
    /// predicate, paths start with the variable (`v` is the element, `v/skuId` one of its properties).
    Any {
        path: Path,
        variable: String,
        predicate: Option<Box<Filter>>,
    },
    /// `path/all(v: predicate)`.
    All {
        path: Path,
        variable: String,
        predicate: Box<Filter>,
    },
}

/// A property path as written (`displayName`, `onPremisesExtensionAttributes/extensionAttribute1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path(pub Vec<String>);

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

/// The comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    /// The operator as written in `$filter`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Gt => "gt",
            Self::Ge => "ge",
            Self::Lt => "lt",
            Self::Le => "le",
        }
    }

    /// OData's name of the operator kind, as its error messages use it.
    pub fn kind_name(self) -> &'static str {
        match self {
            Self::Eq => "Equal",
            Self::Ne => "NotEqual",
            Self::Gt => "GreaterThan",
            Self::Ge => "GreaterThanOrEqual",
            Self::Lt => "LessThan",
            Self::Le => "LessThanOrEqual",
        }
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Int(i64),
    Bool(bool),
    Null,
    /// A DateTimeOffset, or a date (midnight UTC).
    DateTime(OffsetDateTime),
    Guid(Uuid),
}

impl Literal {
    /// The EDM type name OData's messages use for this literal.
    pub fn edm_type(&self) -> &'static str {
        match self {
            Self::String(_) => "Edm.String",
            Self::Int(_) => "Edm.Int32",
            Self::Bool(_) => "Edm.Boolean",
            Self::Null => "<null>",
            Self::DateTime(_) => "Edm.DateTimeOffset",
            Self::Guid(_) => "Edm.Guid",
        }
    }
}

/// Parses a `$filter` value.
pub fn parse_filter(text: &str) -> Result<Filter> {
    if text.len() > MAX_FILTER_LENGTH {
        return Err(invalid(format!(
            "The filter exceeds the maximum length of {MAX_FILTER_LENGTH} characters."
        )));
    }
    let tokens = lex(text)?;
    let mut parser = Parser {
        text,
        tokens,
        at: 0,
        depth: 0,
    };
    let filter = parser.or()?;
    match parser.peek() {
        Token::End => Ok(filter),
        _ => Err(parser.syntax_error()),
    }
}

/// Graph's 400 for a `$filter` that does not parse.
pub(crate) fn invalid(detail: impl fmt::Display) -> Error {
    Error::invalid_query(format!("Invalid filter clause: {detail}"))
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Literal(Literal),
    Open,
    Close,
    Comma,
    Slash,
    Colon,
    End,
}

/// A token and the character position where it starts.
type Spanned = (Token, usize);

fn lex(text: &str) -> Result<Vec<Spanned>> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let bad_char = |c: char, at: usize| {
        invalid(format!(
            "Syntax error: character '{c}' is not valid at position {at} in '{text}'."
        ))
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let token = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => {
                i += 1;
                Token::Open
            }
            ')' => {
                i += 1;
                Token::Close
            }
            ',' => {
                i += 1;
                Token::Comma
            }
            '/' => {
                i += 1;
                Token::Slash
            }
            ':' => {
                i += 1;
                Token::Colon
            }
            '\'' => {
                let mut value = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(invalid(format!(
                                "There is an unterminated string literal at position {start} in '{text}'."
                            )));
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            value.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&c) => {
                            value.push(c);
                            i += 1;
                        }
                    }
                }
                Token::Literal(Literal::String(value))
            }
            c if c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '-' => {
                loop {
                    while i < chars.len() && is_word_char(chars[i]) {
                        i += 1;
                    }
                    // The time part of a DateTimeOffset (`2024-01-01T10:00:00Z`) continues at ':'.
                    let date_time_so_far = i - start >= 11
                        && chars[start..start + 4].iter().all(char::is_ascii_digit)
                        && chars[start + 4] == '-'
                        && chars[start + 10] == 'T';
                    if date_time_so_far && chars.get(i) == Some(&':') {
                        i += 1;
                    } else {
                        break;
                    }
                }
                let word: String = chars[start..i].iter().collect();
                word_token(&word).ok_or_else(|| bad_char(c, start))?
            }
            other => return Err(bad_char(other, start)),
        };
        tokens.push((token, start));
    }
    tokens.push((Token::End, chars.len()));
    Ok(tokens)
}

/// Characters that continue a name, number, GUID or date/time literal. `:` belongs to a time only
/// after the date part (`2024-01-01T10:00:00Z`), so lambdas like `p:p eq 1` still split at `:`.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-' | '.' | '+')
}

fn word_token(word: &str) -> Option<Token> {
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "true" => return Some(Token::Literal(Literal::Bool(true))),
        "false" => return Some(Token::Literal(Literal::Bool(false))),
        "null" => return Some(Token::Literal(Literal::Null)),
        _ => {}
    }
    if word.len() == 36
        && let Ok(guid) = Uuid::try_parse(word)
    {
        return Some(Token::Literal(Literal::Guid(guid)));
    }
    let first = word.chars().next()?;
    if first.is_ascii_digit() || first == '-' {
        if let Ok(n) = word.parse::<i64>() {
            return Some(Token::Literal(Literal::Int(n)));
        }
        return date_time(word).map(|t| Token::Literal(Literal::DateTime(t)));
    }
    if word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '.')
    {
        return Some(Token::Name(word.to_owned()));
    }
    None
}

/// A date or DateTimeOffset literal (`2024-01-01`, `2024-01-01T00:00:00Z`, with offset or fraction).
fn date_time(text: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let date = Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(date.midnight().assume_utc())
}

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Spanned>,
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.at.min(self.tokens.len() - 1)].0
    }

    fn peek_at(&self, offset: usize) -> &Token {
        &self.tokens[(self.at + offset).min(self.tokens.len() - 1)].0
    }

    fn position(&self) -> usize {
        self.tokens[self.at.min(self.tokens.len() - 1)].1
    }

    fn next(&mut self) -> Token {
        let token = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        token
    }

    fn syntax_error(&self) -> Error {
        invalid(format!(
            "Syntax error at position {} in '{}'.",
            self.position(),
            self.text
        ))
    }

    fn expect(&mut self, token: Token, what: &str) -> Result<()> {
        if *self.peek() == token {
            self.next();
            Ok(())
        } else {
            Err(invalid(format!(
                "{what} expected at position {} in '{}'.",
                self.position(),
                self.text
            )))
        }
    }

    fn is_keyword(&self, offset: usize, keyword: &str) -> bool {
        matches!(self.peek_at(offset), Token::Name(n) if n.eq_ignore_ascii_case(keyword))
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(invalid(format!(
                "The filter exceeds the maximum nesting depth of {MAX_DEPTH}."
            )));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Filter> {
        let mut operands = vec![self.and()?];
        while self.is_keyword(0, "or") {
            self.next();
            operands.push(self.and()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Filter::Or(operands)
        })
    }

    fn and(&mut self) -> Result<Filter> {
        let mut operands = vec![self.unary()?];
        while self.is_keyword(0, "and") {
            self.next();
            operands.push(self.unary()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Filter::And(operands)
        })
    }

    fn unary(&mut self) -> Result<Filter> {
        self.enter()?;
        let result = if self.is_keyword(0, "not") && !self.is_operator(1) {
            self.next();
            self.unary().map(|f| Filter::Not(Box::new(f)))
        } else {
            self.primary()
        };
        self.depth -= 1;
        result
    }

    /// Whether the token at `offset` is a binary operator (so a property named like a keyword
    /// still parses as a property).
    fn is_operator(&self, offset: usize) -> bool {
        ["eq", "ne", "gt", "ge", "lt", "le", "in", "and", "or"]
            .iter()
            .any(|k| self.is_keyword(offset, k))
    }

    fn primary(&mut self) -> Result<Filter> {
        match self.peek().clone() {
            Token::Open => {
                self.next();
                let inner = self.or()?;
                self.expect(Token::Close, "')'")?;
                Ok(inner)
            }
            Token::Name(name) if *self.peek_at(1) == Token::Open => {
                let lower = name.to_ascii_lowercase();
                if lower != "startswith" && lower != "endswith" {
                    return Err(invalid(format!(
                        "An unknown function with name '{name}' was found. This may also be a function \
                         import or a key lookup on a navigation property, which is not allowed."
                    )));
                }
                self.next();
                self.next();
                let path = self.path()?;
                self.expect(Token::Comma, "','")?;
                let Token::Literal(Literal::String(value)) = self.peek().clone() else {
                    return Err(self.syntax_error());
                };
                self.next();
                self.expect(Token::Close, "')'")?;
                Ok(if lower == "startswith" {
                    Filter::StartsWith {
                        path,
                        prefix: value,
                    }
                } else {
                    Filter::EndsWith {
                        path,
                        suffix: value,
                    }
                })
            }
            Token::Name(_) => {
                let path = self.path()?;
                if *self.peek() == Token::Slash {
                    return self.lambda(path);
                }
                self.comparison(path)
            }
            Token::End => Err(invalid(format!(
                "Expression expected at position {} in '{}'.",
                self.position(),
                self.text
            ))),
            _ => Err(self.syntax_error()),
        }
    }

    /// A property path; stops before `/any(` and `/all(`.
    fn path(&mut self) -> Result<Path> {
        let mut segments = Vec::new();
        loop {
            let Token::Name(segment) = self.peek().clone() else {
                return Err(self.syntax_error());
            };
            self.next();
            segments.push(segment);
            let lambda = (self.is_keyword(1, "any") || self.is_keyword(1, "all"))
                && *self.peek_at(2) == Token::Open;
            if *self.peek() != Token::Slash || lambda {
                return Ok(Path(segments));
            }
            self.next();
        }
    }

    fn lambda(&mut self, path: Path) -> Result<Filter> {
        self.next(); // '/'
        let all = self.is_keyword(0, "all");
        self.next(); // any | all
        self.next(); // '('
        if *self.peek() == Token::Close && !all {
            self.next();
            return Ok(Filter::Any {
                path,
                variable: String::new(),
                predicate: None,
            });
        }
        let Token::Name(variable) = self.peek().clone() else {
            return Err(self.syntax_error());
        };
        self.next();
        self.expect(Token::Colon, "':'")?;
        self.enter()?;
        let predicate = self.or();
        self.depth -= 1;
        let predicate = Box::new(predicate?);
        self.expect(Token::Close, "')'")?;
        Ok(if all {
            Filter::All {
                path,
                variable,
                predicate,
            }
        } else {
            Filter::Any {
                path,
                variable,
                predicate: Some(predicate),
            }
        })
    }

    fn comparison(&mut self, path: Path) -> Result<Filter> {
        let op = match self.peek() {
            Token::Name(n) => match n.to_ascii_lowercase().as_str() {
                "eq" => CompareOp::Eq,
                "ne" => CompareOp::Ne,
                "gt" => CompareOp::Gt,
                "ge" => CompareOp::Ge,
                "lt" => CompareOp::Lt,
                "le" => CompareOp::Le,
                "in" => {
                    self.next();
                    return self.in_list(path);
                }
                _ => return Err(self.syntax_error()),
            },
            _ => return Err(self.syntax_error()),
        };
        self.next();
        let value = self.literal()?;
        Ok(Filter::Compare { path, op, value })
    }

    fn in_list(&mut self, path: Path) -> Result<Filter> {
        self.expect(Token::Open, "'('")?;
        let mut values = vec![self.literal()?];
        while *self.peek() == Token::Comma {
            self.next();
            values.push(self.literal()?);
        }
        self.expect(Token::Close, "')' or ','")?;
        Ok(Filter::In { path, values })
    }

    fn literal(&mut self) -> Result<Literal> {
        let position = self.position();
        match self.next() {
            Token::Literal(l) => Ok(l),
            Token::End => Err(invalid(format!(
                "Expression expected at position {position} in '{}'.",
                self.text
            ))),
            _ => Err(invalid(format!(
                "Syntax error at position {position} in '{}'.",
                self.text
            ))),
        }
    }
}
