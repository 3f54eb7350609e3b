//! What the module templates print for each typed field: its column, its pydantic
//! types, its filter, and the sample values its generated tests send.
//!
//! The templates loop over these values; every choice that depends on a field's type
//! and modifiers is made here, once, where it can be unit-tested.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::fields::{Field, Kind, Known};
use crate::markers::LINE_LENGTH;
use crate::names::class_name;

/// A typed field as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FieldCode {
    pub name: String,
    /// The model line(s), indented for the class body.
    pub column: String,
    /// A module-level alias with the field's constraints (`PriceValue = Annotated[...]`),
    /// used by the create and update schemas; empty when the plain type says it all.
    pub alias: String,
    /// The create schema's annotation and default (`PriceValue`, `bool = True`,
    /// `str | None = None`).
    pub create: String,
    /// The update schema's annotation (always optional, defaulting to None).
    pub update: String,
    /// The read schema's annotation.
    pub read: String,
    /// Whether an explicit `null` clears the field (it is optional).
    pub nullable: bool,
    /// Whether a create must send it.
    pub required: bool,
    pub filterable: bool,
    /// The filter's annotation and default in the query schema (the update's).
    pub filter: String,
    pub sortable: bool,
    /// For `ref`: the target module and class, and the on-delete rule.
    pub target: String,
    pub target_class: String,
    pub on_delete: String,
    /// Sample values as Python expressions of their JSON form: the first and second
    /// rows the tests create, and what the API answers for each (`12.50` → `"12.50"`).
    pub sample: String,
    pub sample_read: String,
    pub other: String,
    pub other_read: String,
    /// How the two samples sort: `ab` (the first first), `ba`, or `tie`.
    pub sort_order: &'static str,
    /// Values a create must refuse with 422, as Python expressions.
    pub invalid: Vec<String>,
    pub unique: bool,
}

/// The imports a module's model and schemas need for their fields.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct FieldImports {
    /// Standard-library import lines of the model.
    pub model_std: Vec<String>,
    /// Names from `sqlalchemy`, sorted as isort sorts them.
    pub model_sqlalchemy: Vec<String>,
    /// Standard-library import lines of the schemas.
    pub schemas_std: Vec<String>,
    /// Names from `pydantic`, sorted.
    pub schemas_pydantic: Vec<String>,
    /// Whether the schemas convert datetimes to UTC (`as_utc`), and take aware ones.
    pub utc: bool,
    pub aware: bool,
}

/// The code of every field of a module, in spec order.
pub(crate) fn fields_code(table: &str, fields: &[Field], soft_delete: bool) -> Vec<FieldCode> {
    fields
        .iter()
        .map(|field| code(table, field, soft_delete))
        .collect()
}

/// The model's `__table_args__` entries for unique fields of a soft-delete module: a
/// unique index over live rows only (partial, on SQLite and PostgreSQL).
pub(crate) fn live_unique_indexes(table: &str, fields: &[Field]) -> Vec<String> {
    fields
        .iter()
        .filter(|f| f.unique)
        .map(|f| {
            format!(
                "        Index(\n            \"uq_{table}_{name}_live\",\n            \"{name}\",\n            unique=True,\n            sqlite_where=text(\"deleted_at IS NULL\"),\n            postgresql_where=text(\"deleted_at IS NULL\"),\n        ),",
                name = f.name
            )
        })
        .collect()
}

/// The sort keys of a module's list (`id`, its timestamps, the sortable fields), each
/// ascending and descending, as the `<Class>Sort` literal's definition.
pub(crate) fn sort_alias(class: &str, fields: &[Field], timestamps: bool) -> String {
    let mut keys = vec!["id".to_string()];
    if timestamps {
        keys.extend(["created_at".to_string(), "updated_at".to_string()]);
    }
    keys.extend(
        fields
            .iter()
            .filter(|f| f.sortable())
            .map(|f| f.name.clone()),
    );
    let values: Vec<String> = keys
        .iter()
        .flat_map(|k| [format!("\"{k}\""), format!("\"-{k}\"")])
        .collect();
    let line = format!("{class}Sort = Literal[{}]", values.join(", "));
    if line.len() <= LINE_LENGTH {
        return line;
    }
    let items: Vec<String> = values.iter().map(|v| format!("    {v},\n")).collect();
    format!("{class}Sort = Literal[\n{}]", items.concat())
}

fn code(table: &str, field: &Field, soft_delete: bool) -> FieldCode {
    let alias_name = format!("{}Value", class_name(&field.name));
    let (alias, api_type) = api_type(field, &alias_name);
    let create = match (&field.default, field.optional) {
        (Some(default), true) => format!("{api_type} | None = {}", python_default(field, default)),
        (None, true) => format!("{api_type} | None = None"),
        (Some(default), false) => format!("{api_type} = {}", python_default(field, default)),
        (None, false) => api_type.clone(),
    };
    let (other, other_read) = sample(field, 1);
    let (sample, sample_read) = sample(field, 0);
    FieldCode {
        name: field.name.clone(),
        column: column(table, field, soft_delete),
        alias,
        create,
        update: format!("{api_type} | None = None"),
        read: read_type(field),
        nullable: field.optional,
        required: !field.may_be_omitted(),
        filterable: field.filterable(),
        filter: format!("{api_type} | None = None"),
        sortable: field.sortable(),
        target: field.target().unwrap_or_default().to_string(),
        target_class: field.target().map(class_name).unwrap_or_default(),
        on_delete: field.on_delete().value().to_string(),
        sample,
        sample_read,
        other,
        other_read,
        sort_order: sort_order(field),
        invalid: invalid(field),
        unique: field.unique,
    }
}

/// The model's `Mapped[...]` type.
fn mapped_type(field: &Field) -> String {
    let base = match &field.kind {
        Kind::Str | Kind::Text | Kind::Enum(_) => "str",
        Kind::Int | Kind::BigInt | Kind::Ref(_) => "int",
        Kind::Float => "float",
        Kind::Decimal { .. } => "Decimal",
        Kind::Bool => "bool",
        Kind::Date => "date",
        Kind::DateTime => "datetime",
        Kind::Uuid => "UUID",
        Kind::Json => "dict[str, Any]",
    };
    if field.optional {
        format!("{base} | None")
    } else {
        base.to_string()
    }
}

/// The model line(s) of `field`, within the line length.
/// With `soft_delete`, uniqueness holds among live rows: a partial index in
/// `__table_args__` ([`live_unique_indexes`]) instead of `unique=True`.
fn column(table: &str, field: &Field, soft_delete: bool) -> String {
    let mut args: Vec<String> = vec![match &field.kind {
        Kind::Str => format!("String({})", field.str_bounds().1),
        Kind::Text => "Text".into(),
        Kind::Int => "Integer".into(),
        Kind::BigInt => "BigInteger".into(),
        Kind::Float => "Float".into(),
        Kind::Decimal { precision, scale } => format!("Numeric({precision}, {scale})"),
        Kind::Bool => "Boolean".into(),
        Kind::Date => "Date".into(),
        Kind::DateTime => "DateTime(timezone=True)".into(),
        Kind::Uuid => "Uuid".into(),
        Kind::Json => "JSON".into(),
        Kind::Enum(values) => {
            let mut args: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
            args.push(format!("name=\"{table}_{}\"", field.name));
            args.push("native_enum=False".into());
            args.push("create_constraint=True".into());
            let one_line = format!("Enum({})", args.join(", "));
            // As an argument of the exploded `mapped_column(` call: indented, with a comma.
            if one_line.len() + 9 <= LINE_LENGTH {
                one_line
            } else {
                let lines: String = args.iter().map(|a| format!("            {a},\n")).collect();
                format!("Enum(\n{lines}        )")
            }
        }
        Kind::Ref(target) => format!(
            "ForeignKey(\"{target}.id\", ondelete=\"{}\")",
            field.on_delete().sql()
        ),
    }];
    if field.unique && !soft_delete {
        args.push("unique=True".into());
    }
    if field.index || field.target().is_some() {
        args.push("index=True".into());
    }
    if let Some(default) = &field.default {
        args.push(format!("server_default={}", server_default(field, default)));
    }
    let head = format!(
        "    {}: Mapped[{}] = mapped_column(",
        field.name,
        mapped_type(field)
    );
    let one_line = format!("{head}{})", args.join(", "));
    if one_line.len() <= LINE_LENGTH {
        return one_line;
    }
    let mut out = head;
    for arg in &args {
        out.push_str(&format!("\n        {arg},"));
    }
    out.push_str("\n    )");
    out
}

fn quoted(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    quoted.join(", ")
}

/// The column's `server_default=` expression, so adding the column to a table with
/// rows migrates.
fn server_default(field: &Field, default: &str) -> String {
    match &field.kind {
        Kind::Bool => format!("text(\"{default}\")"),
        _ => format!("\"{default}\""),
    }
}

/// The Python value of a `default=`.
fn python_default(field: &Field, default: &str) -> String {
    match &field.kind {
        Kind::Int | Kind::BigInt => default.to_string(),
        Kind::Float => float_literal(default),
        Kind::Decimal { .. } => format!("Decimal(\"{default}\")"),
        Kind::Bool if default == "true" => "True".into(),
        Kind::Bool => "False".into(),
        Kind::Date => {
            let parts: Vec<u32> = default.split('-').filter_map(|p| p.parse().ok()).collect();
            format!("date({}, {}, {})", parts[0], parts[1], parts[2])
        }
        _ => format!("\"{default}\""),
    }
}

fn float_literal(value: &str) -> String {
    if value.contains('.') {
        value.to_string()
    } else {
        format!("{value}.0")
    }
}

/// The create/update type, with the alias that holds its constraints when it has any.
fn api_type(field: &Field, alias_name: &str) -> (String, String) {
    match &field.kind {
        Kind::Str => {
            let (min, max) = field.str_bounds();
            annotated_alias(
                alias_name,
                "str",
                format!(
                    "StringConstraints(strip_whitespace=True, min_length={min}, max_length={max})"
                ),
            )
        }
        Kind::Text if field.min.is_some() || field.max.is_some() => {
            annotated_alias(alias_name, "str", text_constraints(field))
        }
        Kind::Int | Kind::BigInt => annotated_alias(alias_name, "int", int_constraints(field)),
        Kind::Float => annotated_alias(alias_name, "float", float_constraints(field)),
        Kind::Decimal { precision, scale } => annotated_alias(
            alias_name,
            "Decimal",
            decimal_constraints(field, *precision, *scale),
        ),
        Kind::Ref(_) => annotated_alias(alias_name, "int", "Field(ge=1, le=2**31 - 1)".to_string()),
        Kind::Enum(values) => literal_alias(alias_name, values),
        _ => (String::new(), plain_type(field)),
    }
}

/// The `Annotated` alias of `ty` with `constraint` (one line when it fits), and its name.
fn annotated_alias(alias_name: &str, ty: &str, constraint: String) -> (String, String) {
    let line = format!("{alias_name} = Annotated[{ty}, {constraint}]");
    let alias = if line.len() <= LINE_LENGTH {
        line
    } else {
        format!("{alias_name} = Annotated[\n    {ty},\n    {constraint},\n]")
    };
    (alias, alias_name.to_string())
}

/// The `Literal` alias of an enum's values (one line when it fits), and its name.
fn literal_alias(alias_name: &str, values: &[String]) -> (String, String) {
    let line = format!("{alias_name} = Literal[{}]", quoted(values));
    let alias = if line.len() <= LINE_LENGTH {
        line
    } else {
        let items: Vec<String> = values.iter().map(|v| format!("    \"{v}\",\n")).collect();
        format!("{alias_name} = Literal[\n{}]", items.concat())
    };
    (alias, alias_name.to_string())
}

/// The `ge=`/`le=` arguments of the bounds that are given.
fn bounds(low: Option<String>, high: Option<String>) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(low) = low {
        parts.push(format!("ge={low}"));
    }
    if let Some(high) = high {
        parts.push(format!("le={high}"));
    }
    parts
}

/// The length constraints of a bounded text field.
fn text_constraints(field: &Field) -> String {
    let mut parts = Vec::new();
    if let Some(min) = &field.min {
        parts.push(format!("min_length={min}"));
    }
    if let Some(max) = &field.max {
        parts.push(format!("max_length={max}"));
    }
    format!("StringConstraints({})", parts.join(", "))
}

/// The bounds of an int or bigint field: its own, else those of its column type.
fn int_constraints(field: &Field) -> String {
    let (low, high) = if matches!(field.kind, Kind::Int) {
        ("-(2**31)", "2**31 - 1")
    } else {
        ("-(2**63)", "2**63 - 1")
    };
    let parts = bounds(
        Some(field.min.clone().unwrap_or_else(|| low.to_string())),
        Some(field.max.clone().unwrap_or_else(|| high.to_string())),
    );
    format!("Field({})", parts.join(", "))
}

/// The constraints of a float field: finite, and within its bounds if it has any.
fn float_constraints(field: &Field) -> String {
    let mut parts = vec!["allow_inf_nan=False".to_string()];
    parts.extend(bounds(
        field.min.as_deref().map(float_literal),
        field.max.as_deref().map(float_literal),
    ));
    format!("Field({})", parts.join(", "))
}

/// The constraints of a decimal field: finite, its digits, and its bounds if it has any.
fn decimal_constraints(field: &Field, precision: u32, scale: u32) -> String {
    let mut parts = vec![
        "allow_inf_nan=False".to_string(),
        format!("max_digits={precision}"),
        format!("decimal_places={scale}"),
    ];
    parts.extend(bounds(
        field.min.as_ref().map(|v| format!("Decimal(\"{v}\")")),
        field.max.as_ref().map(|v| format!("Decimal(\"{v}\")")),
    ));
    format!("Field({})", parts.join(", "))
}

/// The type of a field without constraints (bool, date, datetime, uuid, json, enum,
/// text without bounds).
fn plain_type(field: &Field) -> String {
    match &field.kind {
        Kind::Bool => "bool".into(),
        Kind::Date => "date".into(),
        Kind::DateTime => "AwareUtcDatetime".into(),
        Kind::Uuid => "UUID".into(),
        Kind::Json => "dict[str, Any]".into(),
        Kind::Enum(_) => format!("{}Value", class_name(&field.name)),
        _ => mapped_type(&Field {
            optional: false,
            ..field.clone()
        }),
    }
}

/// The read schema's type: what the column holds (datetimes in UTC).
fn read_type(field: &Field) -> String {
    let base = match &field.kind {
        Kind::DateTime => "UtcDatetime".into(),
        Kind::Enum(_) => plain_type(field),
        _ => mapped_type(&Field {
            optional: false,
            ..field.clone()
        }),
    };
    if field.optional {
        format!("{base} | None")
    } else {
        base
    }
}

/// The `n`th sample value of a field (0 or 1) as a Python expression of its JSON
/// form, and what the API answers for it. `ref` samples are filled in by the tests.
fn sample(field: &Field, n: usize) -> (String, String) {
    let same = |v: String| (v.clone(), v);
    match &field.kind {
        Kind::Str | Kind::Text => same(format!("\"{}\"", text_sample(field, n))),
        Kind::Int | Kind::BigInt => same(format!("{}", number_sample(field, n))),
        Kind::Float => same(format!("{:?}", number_sample(field, n))),
        Kind::Decimal { scale, .. } => {
            let scale = *scale as usize;
            same(format!("\"{:.scale$}\"", number_sample(field, n)))
        }
        Kind::Bool => same(if n == 0 { "False" } else { "True" }.into()),
        Kind::Date => same(
            if n == 0 {
                "\"2024-05-01\""
            } else {
                "\"2024-06-01\""
            }
            .into(),
        ),
        Kind::DateTime if n == 0 => (
            "\"2024-05-01T12:30:00+02:00\"".into(),
            "\"2024-05-01T10:30:00Z\"".into(),
        ),
        Kind::DateTime => same("\"2024-06-01T08:00:00Z\"".into()),
        Kind::Uuid if n == 0 => same("\"1c9a7c1e-5a9e-4c4e-9d3a-0a1b2c3d4e5f\"".into()),
        Kind::Uuid => same("\"7f3e2d1c-0b9a-4877-8665-5a4b3c2d1e0f\"".into()),
        Kind::Json if n == 0 => same("{\"color\": \"red\", \"sizes\": [1, 2]}".into()),
        Kind::Json => same("{\"color\": \"blue\"}".into()),
        Kind::Enum(values) => same(format!("\"{}\"", values[n.min(values.len() - 1)])),
        Kind::Ref(_) => same("None".into()),
    }
}

/// A text sample within the field's length bounds: `a<name>` then `b<name>`, so the
/// two sort the same way under any collation.
fn text_sample(field: &Field, n: usize) -> String {
    let (min, max) = match field.kind {
        Kind::Str => {
            let (min, max) = field.str_bounds();
            (min, Some(max))
        }
        _ => (
            field
                .min
                .as_deref()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            field.max.as_deref().and_then(|v| v.parse().ok()),
        ),
    };
    let mut text = format!(
        "{}{}",
        if n == 0 { 'a' } else { 'b' },
        field.name.replace('_', "")
    );
    while (text.len() as u64) < min {
        text.push('x');
    }
    if let Some(max) = max {
        text.truncate(usize::try_from(max.max(1)).unwrap_or(usize::MAX));
    }
    text
}

/// A numeric sample within the field's bounds: 1 (1.5 for fractional types), moved
/// into `min=`/`max=`, for the first row, and one more for the second when the
/// bounds allow it.
fn number_sample(field: &Field, n: usize) -> f64 {
    let parse = |v: &Option<String>| v.as_deref().and_then(|v| v.parse::<f64>().ok());
    let (min, max) = (parse(&field.min), parse(&field.max));
    let mut first: f64 = if matches!(field.kind, Kind::Float | Kind::Decimal { .. }) {
        1.5
    } else {
        1.0
    };
    if let Some(min) = min {
        first = first.max(min);
    }
    if let Some(max) = max
        && first + 1.0 > max
    {
        first = min.map_or(max - 1.0, |min| (max - 1.0).max(min));
    }
    let second = first + 1.0;
    if n == 0 || max.is_some_and(|max| second > max) {
        first
    } else {
        second
    }
}

/// How the two samples sort in the database: `ab`, `ba` or `tie`.
fn sort_order(field: &Field) -> &'static str {
    use std::cmp::Ordering;
    let ordering = match &field.kind {
        Kind::Enum(values) => values[0].cmp(&values[1]),
        Kind::Int | Kind::BigInt | Kind::Float | Kind::Decimal { .. } => number_sample(field, 0)
            .partial_cmp(&number_sample(field, 1))
            .unwrap_or(Ordering::Equal),
        Kind::Str | Kind::Text => text_sample(field, 0).cmp(&text_sample(field, 1)),
        _ => Ordering::Less,
    };
    match ordering {
        Ordering::Less => "ab",
        Ordering::Greater => "ba",
        Ordering::Equal => "tie",
    }
}

/// The standard-library imports of a typed module's tests.
/// (`api`: the HTTP tests, whose invalid decimals are computed with `Decimal`).
pub(crate) fn test_imports(fields: &[Field], makers: &Makers, api: bool) -> Vec<String> {
    let mut out = Vec::new();
    if api && !makers.targets.is_empty() {
        out.push("import itertools".to_string());
    }
    if !makers.datetime.is_empty() {
        out.push(format!(
            "from datetime import {}",
            makers.datetime.join(", ")
        ));
    }
    let decimal_bounds = api
        && fields.iter().any(|f| {
            matches!(f.kind, Kind::Decimal { .. }) && (f.min.is_some() || f.max.is_some())
        });
    if decimal_bounds {
        out.push("from decimal import Decimal".to_string());
    }
    if makers.uuid {
        out.push("from uuid import UUID".to_string());
    }
    out
}

/// Values a create must refuse with 422 for this field.
fn invalid(field: &Field) -> Vec<String> {
    let mut out = Vec::new();
    match &field.kind {
        Kind::Str => {
            let (min, max) = field.str_bounds();
            if min > 0 {
                out.push("\"\"".to_string());
            }
            out.push(format!("\"x\" * {}", max + 1));
        }
        Kind::Text => {
            if let Some(max) = &field.max {
                out.push(format!("\"x\" * {}", max.parse::<u64>().unwrap_or(0) + 1));
            }
            out.push("[\"not\", \"text\"]".into());
        }
        Kind::Int | Kind::BigInt => {
            let (low, high) = if matches!(field.kind, Kind::Int) {
                ("-(2**31) - 1", "2**31")
            } else {
                ("-(2**63) - 1", "2**63")
            };
            out.push(
                field
                    .min
                    .as_ref()
                    .map_or(low.to_string(), |m| format!("{m} - 1")),
            );
            out.push(
                field
                    .max
                    .as_ref()
                    .map_or(high.to_string(), |m| format!("{m} + 1")),
            );
            out.push("\"many\"".into());
        }
        Kind::Float => {
            if let Some(min) = &field.min {
                out.push(format!("{} - 1", float_literal(min)));
            }
            if let Some(max) = &field.max {
                out.push(format!("{} + 1", float_literal(max)));
            }
            out.push("\"NaN\"".into());
        }
        Kind::Decimal { precision, scale } => {
            if let Some(min) = &field.min {
                out.push(format!("str(Decimal(\"{min}\") - 1)"));
            }
            if let Some(max) = &field.max {
                out.push(format!("str(Decimal(\"{max}\") + 1)"));
            }
            out.push(format!("\"1.{}\"", "1".repeat(*scale as usize + 1)));
            out.push(format!(
                "\"{}\"",
                "9".repeat((*precision - *scale) as usize + 1)
            ));
        }
        Kind::Bool => out.push("\"perhaps\"".into()),
        Kind::Date => out.push("\"2024-02-30\"".into()),
        Kind::DateTime => out.push("\"2024-05-01T12:30:00\"".into()),
        Kind::Uuid => out.push("\"not-a-uuid\"".into()),
        Kind::Json => out.push("[1, 2]".into()),
        Kind::Enum(_) => out.push("\"no_such_value\"".into()),
        Kind::Ref(_) => out.push("0".into()),
    }
    out
}

/// What a module has besides its fields that decides its imports.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shape {
    pub timestamps: bool,
    pub soft_delete: bool,
    pub pagination: bool,
    /// Whether the module has a list route (its query schema and sort keys).
    pub listed: bool,
    /// Whether the module has an update schema (crud).
    pub updated: bool,
    pub tenant_scoped: bool,
    pub owned: bool,
}

/// The imports of a typed module's model and schemas.
pub(crate) fn imports(fields: &[Field], shape: Shape) -> FieldImports {
    let (model_std, model_sqlalchemy) = model_imports(fields, shape);
    let (schemas_std, schemas_pydantic) = schema_imports(fields, shape);
    let datetime = fields.iter().any(|f| matches!(f.kind, Kind::DateTime));
    FieldImports {
        model_std,
        model_sqlalchemy,
        schemas_std,
        schemas_pydantic,
        utc: shape.timestamps || datetime,
        aware: datetime,
    }
}

/// `from datetime import <names that are on>`, if any is.
fn from_datetime(names: &[(&str, bool)]) -> Option<String> {
    let names: Vec<&str> = names
        .iter()
        .filter_map(|(name, on)| on.then_some(*name))
        .collect();
    (!names.is_empty()).then(|| format!("from datetime import {}", names.join(", ")))
}

/// Whether any of `fields` has a kind `f` accepts.
fn any_kind(fields: &[Field], f: fn(&Kind) -> bool) -> bool {
    fields.iter().any(|field| f(&field.kind))
}

/// The model's standard-library import lines and its names from `sqlalchemy`.
fn model_imports(fields: &[Field], shape: Shape) -> (Vec<String>, Vec<String>) {
    let mut sqlalchemy: Vec<&str> = Vec::new();
    for field in fields {
        sqlalchemy.push(match &field.kind {
            Kind::Str => "String",
            Kind::Text => "Text",
            Kind::Int => "Integer",
            Kind::BigInt => "BigInteger",
            Kind::Float => "Float",
            Kind::Decimal { .. } => "Numeric",
            Kind::Bool => "Boolean",
            Kind::Date => "Date",
            Kind::DateTime => "DateTime",
            Kind::Uuid => "Uuid",
            Kind::Json => "JSON",
            Kind::Enum(_) => "Enum",
            Kind::Ref(_) => "ForeignKey",
        });
        if field.default.is_some() && matches!(field.kind, Kind::Bool) {
            sqlalchemy.push("text");
        }
    }
    let dated = shape.timestamps || shape.soft_delete;
    let flagged = [
        (dated, &["DateTime"][..]),
        (shape.tenant_scoped, &["String"][..]),
        (shape.owned, &["ForeignKey"][..]),
        (
            shape.soft_delete && fields.iter().any(|f| f.unique),
            &["Index", "text"][..],
        ),
    ];
    for (on, names) in flagged {
        if on {
            sqlalchemy.extend(names);
        }
    }
    let mut std: Vec<String> = Vec::new();
    std.extend(from_datetime(&[
        ("date", any_kind(fields, |k| matches!(k, Kind::Date))),
        (
            "datetime",
            dated || any_kind(fields, |k| matches!(k, Kind::DateTime)),
        ),
    ]));
    for (kind_of, line) in [
        (
            any_kind(fields, |k| matches!(k, Kind::Decimal { .. })),
            "from decimal import Decimal",
        ),
        (
            any_kind(fields, |k| matches!(k, Kind::Json)),
            "from typing import Any",
        ),
        (
            any_kind(fields, |k| matches!(k, Kind::Uuid)),
            "from uuid import UUID",
        ),
    ] {
        if kind_of {
            std.push(line.to_string());
        }
    }
    (std, isort(sqlalchemy))
}

/// Whether a field's create type is an `Annotated` alias with constraints.
fn constrained(field: &Field) -> bool {
    matches!(
        field.kind,
        Kind::Str | Kind::Int | Kind::BigInt | Kind::Float | Kind::Decimal { .. } | Kind::Ref(_)
    ) || (matches!(field.kind, Kind::Text) && (field.min.is_some() || field.max.is_some()))
}

/// The schemas' standard-library import lines and their names from `pydantic`.
fn schema_imports(fields: &[Field], shape: Shape) -> (Vec<String>, Vec<String>) {
    let datetime = any_kind(fields, |k| matches!(k, Kind::DateTime));
    let json = any_kind(fields, |k| matches!(k, Kind::Json));
    let utc = shape.timestamps || datetime;
    let mut std: Vec<String> = Vec::new();
    std.extend(from_datetime(&[
        ("UTC", utc),
        ("date", any_kind(fields, |k| matches!(k, Kind::Date))),
        ("datetime", utc),
    ]));
    if any_kind(fields, |k| matches!(k, Kind::Decimal { .. })) {
        std.push("from decimal import Decimal".into());
    }
    let typing: Vec<&str> = [
        ("Annotated", utc || fields.iter().any(constrained)),
        ("Any", json),
        (
            "Literal",
            shape.listed || any_kind(fields, |k| matches!(k, Kind::Enum(_))),
        ),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    if !typing.is_empty() {
        std.push(format!("from typing import {}", typing.join(", ")));
    }
    if any_kind(fields, |k| matches!(k, Kind::Uuid)) {
        std.push("from uuid import UUID".into());
    }
    let text_bounds = |f: &Field| {
        matches!(f.kind, Kind::Str)
            || (matches!(f.kind, Kind::Text) && (f.min.is_some() || f.max.is_some()))
    };
    let numeric = any_kind(fields, |k| {
        matches!(
            k,
            Kind::Int | Kind::BigInt | Kind::Float | Kind::Decimal { .. } | Kind::Ref(_)
        )
    });
    let pydantic: Vec<&str> = [
        ("BaseModel", true),
        ("ConfigDict", shape.listed),
        (
            "field_validator",
            shape.updated && fields.iter().any(|f| !f.optional),
        ),
        ("AfterValidator", utc),
        ("AwareDatetime", datetime),
        ("StringConstraints", fields.iter().any(text_bounds)),
        ("Field", numeric || (shape.listed && shape.pagination)),
        ("model_validator", shape.listed),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    (std, isort(pydantic))
}

/// The update schema's `@field_validator(...)` line naming the fields an explicit
/// `null` cannot clear (every field that is not optional); empty when there are none.
pub(crate) fn reject_null(fields: &[Field]) -> String {
    let names: Vec<String> = fields
        .iter()
        .filter(|f| !f.optional)
        .map(|f| format!("\"{}\"", f.name))
        .collect();
    if names.is_empty() {
        return String::new();
    }
    let line = format!("    @field_validator({})", names.join(", "));
    if line.len() <= LINE_LENGTH {
        return line;
    }
    let items: String = names.iter().map(|n| format!("        {n},\n")).collect();
    format!("    @field_validator(\n{items}    )")
}

/// `NAME = ("a", "b")` (a tuple) or `NAME = {"a", "b"}` (a set) of field names,
/// within the line length; empty without fields.
pub(crate) fn name_collection<'a>(
    name: &str,
    fields: impl Iterator<Item = &'a Field>,
    (open, close): (char, char),
) -> String {
    let names: Vec<String> = fields.map(|f| format!("\"{}\"", f.name)).collect();
    if names.is_empty() {
        return String::new();
    }
    let single_tuple = open == '(' && names.len() == 1;
    let line = format!(
        "{name} = {open}{}{}{close}",
        names.join(", "),
        if single_tuple { "," } else { "" }
    );
    if line.len() <= LINE_LENGTH {
        return line;
    }
    let items: String = names.iter().map(|n| format!("    {n},\n")).collect();
    format!("{name} = {open}\n{items}{close}")
}

/// `REFERENCES = (...)`: each `ref` field with the model whose rows it names.
pub(crate) fn references(fields: &[Field]) -> String {
    let entries: Vec<String> = fields
        .iter()
        .filter_map(|f| {
            f.target()
                .map(|t| format!("(\"{}\", {})", f.name, class_name(t)))
        })
        .collect();
    if entries.is_empty() {
        return String::new();
    }
    let head = "REFERENCES: tuple[tuple[str, type[Base]], ...] = ";
    let line = if entries.len() == 1 {
        format!("{head}({},)", entries[0])
    } else {
        format!("{head}({})", entries.join(", "))
    };
    if line.len() <= LINE_LENGTH {
        return line;
    }
    let items: String = entries.iter().map(|e| format!("    {e},\n")).collect();
    format!("{head}(\n{items})")
}

/// The test helpers that insert a row of each module `fields` reference (and of the
/// modules those rows need in turn), with the imports they use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Makers {
    /// Python functions `make_<module>(session, n) -> int`.
    pub code: String,
    /// `(module, class)` of every module a maker inserts into, sorted.
    pub targets: Vec<(String, String)>,
    /// Names the makers use from `datetime` and `uuid`.
    pub datetime: Vec<&'static str>,
    pub uuid: bool,
}

/// The makers for the `ref` fields of `fields`, given the project's modules.
pub(crate) fn makers(fields: &[Field], known: &BTreeMap<String, Known>) -> Makers {
    let mut wanted: Vec<String> = fields
        .iter()
        .filter_map(|f| f.target().map(str::to_string))
        .collect();
    let mut done: BTreeMap<String, String> = BTreeMap::new();
    let mut makers = Makers::default();
    let mut datetime: BTreeSet<&'static str> = BTreeSet::new();
    while let Some(target) = wanted.pop() {
        if done.contains_key(&target) {
            continue;
        }
        let class = class_name(&target);
        let mut args: Vec<String> = Vec::new();
        let module = known.get(&target);
        let typed = module.map(|m| m.fields.as_slice()).unwrap_or_default();
        if typed.is_empty() {
            args.push("name=f\"row {n}\"".into());
        }
        for field in typed.iter().filter(|f| !f.may_be_omitted()) {
            let value = match &field.kind {
                Kind::Str if field.str_bounds().1 < 8 => "str(n)".to_string(),
                Kind::Str | Kind::Text => "f\"row {n}\"".to_string(),
                Kind::Int | Kind::BigInt | Kind::Decimal { .. } => "n".to_string(),
                Kind::Float => "float(n)".to_string(),
                Kind::Bool => "False".to_string(),
                Kind::Date => {
                    datetime.extend(["date", "timedelta"]);
                    "date(2024, 1, 1) + timedelta(days=n)".to_string()
                }
                Kind::DateTime => {
                    datetime.extend(["UTC", "datetime", "timedelta"]);
                    "datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=n)".to_string()
                }
                Kind::Uuid => {
                    makers.uuid = true;
                    "UUID(int=n + 1)".to_string()
                }
                Kind::Json => "{}".to_string(),
                Kind::Enum(values) => format!("\"{}\"", values[0]),
                Kind::Ref(next) => {
                    wanted.push(next.clone());
                    format!("make_{next}(session, n)")
                }
            };
            args.push(format!("{}={value}", field.name));
        }
        let flags = module.map(|m| m.flags.as_slice()).unwrap_or_default();
        if flags.iter().any(|f| f == "timestamps") {
            datetime.extend(["UTC", "datetime"]);
            args.push("created_at=datetime.now(UTC)".into());
            args.push("updated_at=datetime.now(UTC)".into());
        }
        if flags.iter().any(|f| f == "tenant-scoped") {
            args.push("tenant_id=\"tenant-a\"".into());
        }
        let row = if args.is_empty() {
            format!("{class}()")
        } else {
            let lines: String = args.iter().map(|a| format!("        {a},\n")).collect();
            format!("{class}(\n{lines}    )")
        };
        let code = format!(
            "def make_{target}(session: Session, n: int) -> int:\n    \"\"\"Insert a `{target}` row to reference; return its id.\"\"\"\n    row = {row}\n    session.add(row)\n    session.commit()\n    return row.id"
        );
        done.insert(target.clone(), code);
        makers.targets.push((target, class));
    }
    makers.targets.sort();
    makers.code = done.into_values().collect::<Vec<_>>().join("\n\n\n");
    makers.datetime = isort_static(datetime);
    makers
}

fn isort_static(names: BTreeSet<&'static str>) -> Vec<&'static str> {
    let sorted = isort(names.into_iter().collect());
    sorted
        .iter()
        .filter_map(|n| {
            ["UTC", "date", "datetime", "timedelta"]
                .into_iter()
                .find(|s| s == n)
        })
        .collect()
}

/// Names of one `from x import ...`, deduplicated and in isort's order: constants,
/// then classes, then the rest, each group case-insensitively.
pub(crate) fn isort(names: Vec<&str>) -> Vec<String> {
    let group = |name: &str| {
        let constant = name.len() > 1
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit());
        if constant {
            0
        } else if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            1
        } else {
            2
        }
    };
    let mut names: Vec<String> = names.into_iter().map(str::to_string).collect();
    names.sort_by_key(|n| (group(n), n.to_ascii_lowercase(), n.clone()));
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feature::fields::parse;

    fn code_of(spec: &str) -> FieldCode {
        code("products", &parse(spec).unwrap(), false)
    }

    #[test]
    fn columns_and_types() {
        let price = code_of("price:decimal:min=0");
        assert_eq!(
            price.column,
            "    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))"
        );
        assert_eq!(price.create, "PriceValue");
        assert!(
            price
                .alias
                .contains("max_digits=12, decimal_places=2, ge=Decimal(\"0\")")
        );
        assert_eq!(price.sample, "\"1.50\"");
        assert_eq!(price.other, "\"2.50\"");
        let stock = code_of("stock:int:default=0:min=0");
        assert_eq!(stock.create, "StockValue = 0");
        assert!(stock.column.contains("server_default=\"0\""));
        assert!(!stock.required);
        assert_eq!(code_of("rating:int:min=1:max=5").other, "2");
        assert_eq!(code_of("one:int:min=3:max=3").other, "3");
        let product = code_of("product_id:ref=products:optional:on_delete=set_null");
        assert_eq!(
            product.column,
            "    product_id: Mapped[int | None] = mapped_column(\n        ForeignKey(\"products.id\", ondelete=\"SET NULL\"),\n        index=True,\n    )"
        );
        assert_eq!(product.create, "ProductIdValue | None = None");
        let status = code_of("status:enum=draft,live:default=draft");
        assert_eq!(status.create, "StatusValue = \"draft\"");
        assert_eq!(status.alias, "StatusValue = Literal[\"draft\", \"live\"]");
        assert_eq!(
            code_of("at:datetime").sample_read,
            "\"2024-05-01T10:30:00Z\""
        );
        assert_eq!(code_of("code:str:max=3").sample, "\"aco\"");
    }

    #[test]
    fn imports_are_sorted_like_isort() {
        assert_eq!(
            isort(vec![
                "text",
                "String",
                "JSON",
                "DateTime",
                "Date",
                "Uuid",
                "BigInteger"
            ]),
            [
                "JSON",
                "BigInteger",
                "Date",
                "DateTime",
                "String",
                "Uuid",
                "text"
            ]
        );
    }
}
