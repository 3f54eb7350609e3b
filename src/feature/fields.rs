//! Typed fields of a module (SPEC §14): the `name[:type][:modifier ...]` specs of
//! `add module <n> FIELD ...` and `add field`, parsed into [`Field`] values.
//!
//! A spec is checked here as far as it can be without the project: the name rules, the
//! type, each modifier and how they combine, and `default=`/`min=`/`max=` against the
//! type. Whether a `ref=` target exists is the planner's question. Every field has one
//! canonical spec ([`Field::spec`]) — what the ledger records and what `upgrade`
//! renders from.

use std::fmt;

/// The names a field cannot take: the columns and attributes the templates define
/// themselves, and the list endpoint's own query parameters.
const RESERVED: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "deleted_at",
    "tenant_id",
    "owner_id",
    "metadata",
    "registry",
    "sort",
    "limit",
    "offset",
    // Type names the generated classes use: a field named after one would shadow it
    // in the class body.
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "dict",
    "list",
    "set",
    "tuple",
    "object",
    "date",
    "datetime",
    "time",
];

/// The longest field name: the generated lines stay within ruff's line length.
pub(crate) const MAX_FIELD_NAME_LEN: usize = 30;

/// The types, as the syntax spells them (for messages).
pub(crate) const TYPES: &str = "str, text, int, bigint, float, decimal, bool, date, datetime, uuid, json, enum=a,b,c, ref=<module>";

/// The default precision and scale of `decimal`.
const DECIMAL_DEFAULT: (u32, u32) = (12, 2);

/// The column type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Str,
    Text,
    Int,
    BigInt,
    Float,
    Decimal {
        precision: u32,
        scale: u32,
    },
    Bool,
    Date,
    DateTime,
    Uuid,
    Json,
    Enum(Vec<String>),
    /// A reference to another database-backed module's row (its module name).
    Ref(String),
}

/// What deleting a referenced row does to the rows that reference it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnDelete {
    Restrict,
    Cascade,
    SetNull,
}

impl OnDelete {
    pub(crate) fn value(self) -> &'static str {
        match self {
            OnDelete::Restrict => "restrict",
            OnDelete::Cascade => "cascade",
            OnDelete::SetNull => "set_null",
        }
    }

    /// The SQL `ON DELETE` action.
    pub(crate) fn sql(self) -> &'static str {
        match self {
            OnDelete::Restrict => "RESTRICT",
            OnDelete::Cascade => "CASCADE",
            OnDelete::SetNull => "SET NULL",
        }
    }
}

/// One typed field of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub(crate) kind: Kind,
    pub optional: bool,
    pub unique: bool,
    pub index: bool,
    /// The default as given (validated against the type).
    pub default: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    /// Only on `ref` (`restrict` when not given).
    pub(crate) on_delete: Option<OnDelete>,
}

/// A malformed spec: which field, which rule, and a correct example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpecError {
    pub field: String,
    pub rule: String,
    pub example: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid field `{}`: {} (for example `{}`)",
            self.field, self.rule, self.example
        )
    }
}

impl Kind {
    /// The type as the syntax spells it.
    pub(crate) fn spec(&self) -> String {
        match self {
            Kind::Str => "str".into(),
            Kind::Text => "text".into(),
            Kind::Int => "int".into(),
            Kind::BigInt => "bigint".into(),
            Kind::Float => "float".into(),
            Kind::Decimal { precision, scale } if (*precision, *scale) == DECIMAL_DEFAULT => {
                "decimal".into()
            }
            Kind::Decimal { precision, scale } => format!("decimal={precision},{scale}"),
            Kind::Bool => "bool".into(),
            Kind::Date => "date".into(),
            Kind::DateTime => "datetime".into(),
            Kind::Uuid => "uuid".into(),
            Kind::Json => "json".into(),
            Kind::Enum(values) => format!("enum={}", values.join(",")),
            Kind::Ref(target) => format!("ref={target}"),
        }
    }

    /// Whether `min=`/`max=` bound a length (`str`, `text`) rather than a value.
    fn bounds_length(&self) -> bool {
        matches!(self, Kind::Str | Kind::Text)
    }

    fn takes_bounds(&self) -> bool {
        matches!(
            self,
            Kind::Str | Kind::Text | Kind::Int | Kind::BigInt | Kind::Float | Kind::Decimal { .. }
        )
    }

    fn takes_default(&self) -> bool {
        !matches!(
            self,
            Kind::DateTime | Kind::Uuid | Kind::Json | Kind::Ref(_)
        )
    }

    /// The integer range of the column (`int`, `bigint`).
    fn int_range(&self) -> Option<(i128, i128)> {
        match self {
            Kind::Int => Some((-(1 << 31), (1 << 31) - 1)),
            Kind::BigInt => Some((-(1 << 63), (1 << 63) - 1)),
            _ => None,
        }
    }
}

impl Field {
    /// The canonical spec: the type always spelled, the modifiers in one order.
    pub(crate) fn spec(&self) -> String {
        let mut parts = vec![self.name.clone(), self.kind.spec()];
        if self.optional {
            parts.push("optional".into());
        }
        if self.unique {
            parts.push("unique".into());
        }
        if self.index {
            parts.push("index".into());
        }
        if let Some(default) = &self.default {
            parts.push(format!("default={default}"));
        }
        if let Some(min) = &self.min {
            parts.push(format!("min={min}"));
        }
        if let Some(max) = &self.max {
            parts.push(format!("max={max}"));
        }
        if let Some(on_delete) = self.on_delete {
            parts.push(format!("on_delete={}", on_delete.value()));
        }
        parts.join(":")
    }

    /// The module a `ref` field references.
    pub(crate) fn target(&self) -> Option<&str> {
        match &self.kind {
            Kind::Ref(target) => Some(target),
            _ => None,
        }
    }

    /// What deleting a referenced row does (`ref` fields).
    pub(crate) fn on_delete(&self) -> OnDelete {
        self.on_delete.unwrap_or(OnDelete::Restrict)
    }

    /// Whether a client may leave the field out of a create: it is optional or has a
    /// default.
    pub(crate) fn may_be_omitted(&self) -> bool {
        self.optional || self.default.is_some()
    }

    /// The length bounds of a `str` field (`min` 1 and `max` 255 unless given).
    pub(crate) fn str_bounds(&self) -> (u64, u64) {
        let parse =
            |v: &Option<String>, d: u64| v.as_deref().and_then(|v| v.parse().ok()).unwrap_or(d);
        (parse(&self.min, 1), parse(&self.max, 255))
    }

    /// Whether the list endpoint filters on the field by equality (§14).
    pub(crate) fn filterable(&self) -> bool {
        matches!(
            self.kind,
            Kind::Str
                | Kind::Int
                | Kind::BigInt
                | Kind::Bool
                | Kind::Enum(_)
                | Kind::Ref(_)
                | Kind::Uuid
                | Kind::Date
        )
    }

    /// Whether the list endpoint sorts by the field (§14).
    pub(crate) fn sortable(&self) -> bool {
        self.unique
            || self.index
            || matches!(
                self.kind,
                Kind::Ref(_)
                    | Kind::Date
                    | Kind::DateTime
                    | Kind::Int
                    | Kind::BigInt
                    | Kind::Float
                    | Kind::Decimal { .. }
            )
    }
}

/// Parses the specs of one command; the first malformed spec is the error. Duplicate
/// names are refused; `existing` are the module's fields already there (`add field`).
pub(crate) fn parse_all(specs: &[String], existing: &[Field]) -> Result<Vec<Field>, SpecError> {
    let mut fields: Vec<Field> = Vec::new();
    for spec in specs {
        let field = parse(spec)?;
        if fields.iter().chain(existing).any(|f| f.name == field.name) {
            return Err(SpecError {
                field: spec.clone(),
                rule: format!("the name `{}` is given twice", field.name),
                example: format!("{}_2:{}", field.name, field.kind.spec()),
            });
        }
        fields.push(field);
    }
    Ok(fields)
}

/// Parses one `name[:type][:modifier ...]` spec.
pub(crate) fn parse(spec: &str) -> Result<Field, SpecError> {
    let error = |rule: String, example: &str| SpecError {
        field: spec.to_string(),
        rule,
        example: example.to_string(),
    };
    let mut parts = spec.split(':');
    let name = parts.next().unwrap_or_default();
    check_name(name).map_err(|rule| error(rule, "price:decimal"))?;
    let mut rest: Vec<&str> = parts.collect();
    let kind = match rest.first() {
        Some(first) if !is_modifier(first) => {
            let kind = parse_kind(first).map_err(|(rule, example)| error(rule, &example))?;
            rest.remove(0);
            kind
        }
        _ => Kind::Str,
    };
    let mut field = Field {
        name: name.to_string(),
        kind,
        optional: false,
        unique: false,
        index: false,
        default: None,
        min: None,
        max: None,
        on_delete: None,
    };
    for modifier in rest {
        apply_modifier(&mut field, modifier).map_err(|(rule, example)| error(rule, &example))?;
    }
    check_combination(&field).map_err(|(rule, example)| error(rule, &example))?;
    Ok(field)
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the field name is empty".into());
    }
    let snake = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !snake {
        return Err(format!(
            "the name `{name}` is not a lower snake_case identifier (a-z, 0-9 and `_`, starting with a letter)"
        ));
    }
    if crate::names::KEYWORDS.contains(&name) {
        return Err(format!("the name `{name}` is a Python keyword"));
    }
    if RESERVED.contains(&name) {
        return Err(format!(
            "the name `{name}` is reserved (the module defines it itself; reserved: {})",
            RESERVED.join(", ")
        ));
    }
    if name.starts_with("model_") {
        return Err(format!(
            "the name `{name}` starts with `model_`, which pydantic keeps for its own methods"
        ));
    }
    if name.len() > MAX_FIELD_NAME_LEN {
        return Err(format!(
            "the name `{name}` is {} characters long; at most {MAX_FIELD_NAME_LEN} keep the generated lines within ruff's line length",
            name.len()
        ));
    }
    Ok(())
}

fn is_modifier(part: &str) -> bool {
    matches!(part, "optional" | "unique" | "index")
        || ["default=", "min=", "max=", "on_delete="]
            .iter()
            .any(|prefix| part.starts_with(prefix))
}

type RuleError = (String, String);

fn parse_kind(token: &str) -> Result<Kind, RuleError> {
    let unknown = || {
        (
            format!("`{token}` is not a type; the types are {TYPES}"),
            "price:decimal".to_string(),
        )
    };
    Ok(match token {
        "str" => Kind::Str,
        "text" => Kind::Text,
        "int" => Kind::Int,
        "bigint" => Kind::BigInt,
        "float" => Kind::Float,
        "decimal" => Kind::Decimal {
            precision: DECIMAL_DEFAULT.0,
            scale: DECIMAL_DEFAULT.1,
        },
        "bool" => Kind::Bool,
        "date" => Kind::Date,
        "datetime" => Kind::DateTime,
        "uuid" => Kind::Uuid,
        "json" => Kind::Json,
        _ => {
            let Some((base, value)) = token.split_once('=') else {
                return Err(unknown());
            };
            match base {
                "decimal" => parse_decimal_digits(value)?,
                "enum" => parse_enum(value)?,
                "ref" => parse_ref(value)?,
                _ => return Err(unknown()),
            }
        }
    })
}

fn parse_decimal_digits(value: &str) -> Result<Kind, RuleError> {
    let example = "price:decimal=10,2".to_string();
    let parsed = value
        .split_once(',')
        .and_then(|(p, s)| Some((p.parse::<u32>().ok()?, s.parse::<u32>().ok()?)));
    match parsed {
        Some((precision, scale)) if (1..=38).contains(&precision) && scale <= precision => {
            Ok(Kind::Decimal { precision, scale })
        }
        _ => Err((
            format!(
                "`decimal={value}` must give the precision (1-38) and the scale (0 to the precision), separated by a comma"
            ),
            example,
        )),
    }
}

fn parse_enum(value: &str) -> Result<Kind, RuleError> {
    let example = "status:enum=draft,live,retired".to_string();
    let values: Vec<String> = value.split(',').map(str::to_string).collect();
    for v in &values {
        let snake = v.starts_with(|c: char| c.is_ascii_lowercase())
            && v.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !snake {
            return Err((
                format!("the enum value `{v}` is not a lower snake_case identifier"),
                example,
            ));
        }
        if v.len() > 40 {
            return Err((
                format!("the enum value `{v}` is longer than 40 characters"),
                example,
            ));
        }
    }
    if values.len() < 2 {
        return Err(("an enum needs at least two values".into(), example));
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(repeated) = values.iter().find(|v| !seen.insert(v.as_str())) {
        return Err((format!("the enum value `{repeated}` is repeated"), example));
    }
    Ok(Kind::Enum(values))
}

fn parse_ref(value: &str) -> Result<Kind, RuleError> {
    let example = "product_id:ref=products".to_string();
    match crate::names::validate(value, crate::names::NameKind::Module) {
        Ok(valid) if valid.package == value => Ok(Kind::Ref(value.to_string())),
        _ => Err((
            format!("`ref={value}` must name a module by its package name (lower snake_case)"),
            example,
        )),
    }
}

fn apply_modifier(field: &mut Field, modifier: &str) -> Result<(), RuleError> {
    let repeated = || {
        (
            format!("the modifier `{modifier}` is given twice"),
            format!("{}:{}", field.name, field.kind.spec()),
        )
    };
    let flag = |slot: &mut bool| {
        if std::mem::replace(slot, true) {
            Err(())
        } else {
            Ok(())
        }
    };
    let (key, value) = match modifier.split_once('=') {
        Some((key, value)) => (key, Some(value)),
        None => (modifier, None),
    };
    let slot = match (key, value) {
        ("optional", None) => return flag(&mut field.optional).map_err(|()| repeated()),
        ("unique", None) => return flag(&mut field.unique).map_err(|()| repeated()),
        ("index", None) => return flag(&mut field.index).map_err(|()| repeated()),
        ("default", Some(_)) => &mut field.default,
        ("min", Some(_)) => &mut field.min,
        ("max", Some(_)) => &mut field.max,
        ("on_delete", Some(v)) => {
            let action = match v {
                "cascade" => OnDelete::Cascade,
                "restrict" => OnDelete::Restrict,
                "set_null" => OnDelete::SetNull,
                _ => {
                    return Err((
                        format!("`on_delete={v}` must be cascade, restrict or set_null"),
                        "product_id:ref=products:on_delete=cascade".into(),
                    ));
                }
            };
            if field.on_delete.replace(action).is_some() {
                return Err(repeated());
            }
            return Ok(());
        }
        _ => {
            return Err((
                format!(
                    "`{modifier}` is not a modifier; the modifiers are optional, unique, index, default=, min=, max=, on_delete="
                ),
                "stock:int:default=0:min=0".into(),
            ));
        }
    };
    let value = value.unwrap_or_default();
    if value.is_empty() {
        return Err((
            format!("`{key}=` needs a value"),
            "stock:int:default=0".into(),
        ));
    }
    if slot.replace(value.to_string()).is_some() {
        return Err(repeated());
    }
    Ok(())
}

/// The rules that tie modifiers to the type and to each other.
fn check_combination(field: &Field) -> Result<(), RuleError> {
    let name = &field.name;
    let kind = field.kind.spec();
    if field.on_delete.is_some() && field.target().is_none() {
        return Err((
            format!("`on_delete=` applies only to `ref` fields, not to `{kind}`"),
            "product_id:ref=products:on_delete=cascade".into(),
        ));
    }
    if field.on_delete == Some(OnDelete::SetNull) && !field.optional {
        return Err((
            "`on_delete=set_null` needs `optional` (the column must accept null)".into(),
            format!("{name}:{kind}:optional:on_delete=set_null"),
        ));
    }
    if matches!(field.kind, Kind::Json) && (field.unique || field.index) {
        return Err((
            "a `json` field cannot be `unique` or `index`".into(),
            format!("{name}:json:optional"),
        ));
    }
    if (field.min.is_some() || field.max.is_some()) && !field.kind.takes_bounds() {
        return Err((
            format!(
                "`min=`/`max=` apply to str, text, int, bigint, float and decimal, not to `{kind}`"
            ),
            "stock:int:min=0".into(),
        ));
    }
    let min = field
        .min
        .as_deref()
        .map(|v| bound(field, "min", v))
        .transpose()?;
    let max = field
        .max
        .as_deref()
        .map(|v| bound(field, "max", v))
        .transpose()?;
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err((
            format!(
                "`min={}` is above `max={}`",
                field.min.as_deref().unwrap_or_default(),
                field.max.as_deref().unwrap_or_default()
            ),
            format!("{name}:{kind}:min=1:max=5"),
        ));
    }
    if matches!(field.kind, Kind::Str) && field.max.is_none() && min.is_some_and(|m| m > 255.0) {
        return Err((
            "`min=` is above the default `max=255`".into(),
            format!("{name}:str:min=1:max=500"),
        ));
    }
    if let Some(default) = &field.default {
        if !field.kind.takes_default() {
            return Err((
                format!("a `{kind}` field takes no `default=`; make it `optional` instead"),
                format!("{name}:{kind}:optional"),
            ));
        }
        check_default(field, default, min, max)?;
    }
    Ok(())
}

/// A `min=`/`max=` value as a number: a length for `str`/`text`, else a value of the
/// field's type.
fn bound(field: &Field, which: &str, value: &str) -> Result<f64, RuleError> {
    let example = |v: &str| format!("{}:{}:{which}={v}", field.name, field.kind.spec());
    if field.kind.bounds_length() {
        return match value.parse::<u32>() {
            Ok(n) if which == "max" && n == 0 => Err((
                "`max=` of a length must be at least 1".into(),
                example("120"),
            )),
            Ok(n) if n <= 1_000_000 => Ok(f64::from(n)),
            _ => Err((
                format!("`{which}={value}` must be a length: a whole number from 0 to 1000000"),
                example("120"),
            )),
        };
    }
    number(field, value).map_err(|rule| (format!("`{which}={value}`: {rule}"), example("0")))
}

/// A number of the field's type (`int`, `bigint`, `float`, `decimal`), as f64 for
/// comparisons; the error says what is wrong with it.
fn number(field: &Field, value: &str) -> Result<f64, String> {
    if let Some((low, high)) = field.kind.int_range() {
        let n: i128 = value
            .parse()
            .map_err(|_| format!("`{value}` is not a whole number"))?;
        if n < low || n > high {
            return Err(format!(
                "`{value}` is outside the column's range {low}..{high}"
            ));
        }
        #[allow(clippy::cast_precision_loss)]
        return Ok(n as f64);
    }
    if let Kind::Decimal { precision, scale } = field.kind {
        let digits = value.strip_prefix('-').unwrap_or(value);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let ok = !whole.is_empty()
            && whole.chars().all(|c| c.is_ascii_digit())
            && fraction.chars().all(|c| c.is_ascii_digit());
        if !ok {
            return Err(format!("`{value}` is not a decimal number like 9.99"));
        }
        let whole_digits = whole.trim_start_matches('0').len();
        if fraction.len() > scale as usize || whole_digits > (precision - scale) as usize {
            return Err(format!(
                "`{value}` does not fit decimal={precision},{scale} ({} digits before the point, {scale} after)",
                precision - scale
            ));
        }
        return value
            .parse::<f64>()
            .map_err(|_| format!("`{value}` is not a number"));
    }
    match value.parse::<f64>() {
        Ok(n) if n.is_finite() && !value.contains(['e', 'E', 'i', 'n', 'N']) => Ok(n),
        _ => Err(format!("`{value}` is not a finite number like 2.5")),
    }
}

fn check_default(
    field: &Field,
    default: &str,
    min: Option<f64>,
    max: Option<f64>,
) -> Result<(), RuleError> {
    let name = &field.name;
    let kind = field.kind.spec();
    let bad = |rule: String, example: &str| {
        Err((
            format!("`default={default}`: {rule}"),
            format!("{name}:{kind}:default={example}"),
        ))
    };
    match &field.kind {
        Kind::Str | Kind::Text => {
            if default
                .chars()
                .any(|c| c.is_control() || c == '"' || c == '\\' || c == '\'')
            {
                return bad(
                    "quotes, backslashes and control characters are not allowed".into(),
                    "none",
                );
            }
            #[allow(clippy::cast_precision_loss)]
            let len = default.chars().count() as f64;
            let (low, high) = if matches!(field.kind, Kind::Str) {
                let (low, high) = field.str_bounds();
                #[allow(clippy::cast_precision_loss)]
                (Some(low as f64), Some(high as f64))
            } else {
                (min, max)
            };
            if low.is_some_and(|l| len < l) || high.is_some_and(|h| len > h) {
                return bad("its length is outside the field's bounds".into(), "none");
            }
            if default.trim() != default {
                return bad(
                    "it has surrounding whitespace, which the API trims".into(),
                    "none",
                );
            }
        }
        Kind::Int | Kind::BigInt | Kind::Float | Kind::Decimal { .. } => {
            let n = match number(field, default) {
                Ok(n) => n,
                Err(rule) => return bad(rule, "0"),
            };
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                return bad("it is outside `min=`/`max=`".into(), "0");
            }
        }
        Kind::Bool => {
            if default != "true" && default != "false" {
                return bad("a bool default is `true` or `false`".into(), "true");
            }
        }
        Kind::Date => {
            if !is_date(default) {
                return bad("a date default is YYYY-MM-DD".into(), "2025-01-31");
            }
        }
        Kind::Enum(values) => {
            if !values.iter().any(|v| v == default) {
                return bad(
                    format!("it is not one of {}", values.join(", ")),
                    values.first().map_or("", String::as_str),
                );
            }
        }
        Kind::DateTime | Kind::Uuid | Kind::Json | Kind::Ref(_) => {}
    }
    Ok(())
}

/// Whether `value` is a valid `YYYY-MM-DD` calendar date.
fn is_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d)
}

/// What a project's module is, for the fields that reference it: its manifest value,
/// whether it keeps rows, its flags and its typed fields (none: the classic `name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Known {
    /// The manifest value (`crud[pagination]`).
    pub value: String,
    /// Whether the template has a model (a `ref=` may name its rows).
    pub keeps_rows: bool,
    pub flags: Vec<String>,
    pub fields: Vec<Field>,
}

/// The typed fields the ledger records for `module` (none: an untyped module).
pub(crate) fn recorded(
    ledger: &crate::ledger::Ledger,
    module: &str,
) -> Result<Vec<Field>, crate::error::Refusal> {
    ledger
        .fields(module)
        .iter()
        .map(|spec| {
            parse(spec).map_err(|e| {
                crate::error::Refusal::new(format!(
                    "{} records a field of module `{module}` that is not valid: {e}",
                    crate::ledger::FILE_NAME
                ))
                .with_hint(format!(
                    "restore {} from version control",
                    crate::ledger::FILE_NAME
                ))
            })
        })
        .collect()
}

/// The `(module, field)` pairs of other modules whose `ref` fields reference `target`.
pub(crate) fn referrers(
    known: &std::collections::BTreeMap<String, Known>,
    target: &str,
) -> Vec<(String, String)> {
    known
        .iter()
        .filter(|(name, _)| name.as_str() != target)
        .flat_map(|(name, module)| {
            module
                .fields
                .iter()
                .filter(|f| f.target() == Some(target))
                .map(move |f| (name.clone(), f.name.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(spec: &str) -> Field {
        parse(spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
    }

    #[test]
    fn parses_types_and_modifiers() {
        let f = ok("title");
        assert_eq!(f.kind, Kind::Str);
        assert_eq!(f.spec(), "title:str");
        let f = ok("title:unique");
        assert!(f.unique);
        assert_eq!(f.spec(), "title:str:unique");
        assert_eq!(
            ok("price:decimal=10,2:min=0").kind,
            Kind::Decimal {
                precision: 10,
                scale: 2
            }
        );
        assert_eq!(ok("price:decimal").spec(), "price:decimal");
        assert_eq!(
            ok("status:enum=draft,live:default=draft").kind,
            Kind::Enum(vec!["draft".into(), "live".into()])
        );
        let f = ok("product_id:ref=products:optional:on_delete=set_null");
        assert_eq!(f.target(), Some("products"));
        assert_eq!(f.on_delete(), OnDelete::SetNull);
        assert_eq!(
            f.spec(),
            "product_id:ref=products:optional:on_delete=set_null"
        );
        // The canonical spec reads back as the same field.
        let f = ok("stock:int:min=0:default=0:index");
        assert_eq!(f.spec(), "stock:int:index:default=0:min=0");
        assert_eq!(ok(&f.spec()), f);
        assert!(ok("on:date:default=2024-02-29").default.is_some());
    }

    #[test]
    fn refuses_what_the_spec_lists() {
        for (spec, says) in [
            ("1bad:str", "snake_case"),
            ("x:nosuchtype", "not a type"),
            ("id:int", "reserved"),
            ("class:str", "keyword"),
            ("x:ref=Missing-Module", "package name"),
            ("x:str:on_delete=cascade", "only to `ref`"),
            ("x:int:default=abc", "whole number"),
            ("x:ref=products:on_delete=set_null", "needs `optional`"),
            ("x:int:min=5:max=1", "above"),
            ("x:int:default=9:max=5", "outside"),
            ("x:bool:min=1", "apply to"),
            ("x:json:unique", "cannot be"),
            ("x:enum=a", "two values"),
            ("x:enum=a,A", "snake_case"),
            ("x:enum=a,a", "repeated"),
            ("x:decimal=2,3", "precision"),
            ("x:decimal=4,2:default=123.4", "does not fit"),
            ("x:date:default=2023-02-29", "YYYY-MM-DD"),
            ("x:int:default=2147483648", "range"),
            ("x:str:optional:optional", "twice"),
            ("x:str:nope", "not a modifier"),
            ("x:str:unique:nope", "not a modifier"),
            ("x:datetime:default=now", "no `default=`"),
            ("x:float:default=nan", "finite"),
            ("model_name:str", "pydantic"),
            ("x:str:default=", "needs a value"),
            ("x:str:max=0", "at least 1"),
            ("sort:str", "reserved"),
        ] {
            let error = parse(spec).expect_err(spec);
            assert!(error.to_string().contains(says), "{spec}: {error}");
            assert!(error.to_string().contains("for example"), "{spec}: {error}");
        }
        let twice = parse_all(&["a:int".into(), "a:str".into()], &[]).unwrap_err();
        assert!(twice.rule.contains("given twice"));
        let existing = [ok("a")];
        assert!(parse_all(&["a:int".into()], &existing).is_err());
    }
}
