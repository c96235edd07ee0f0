//! A Parquet file's columns from its footer, in Glue's type names: no data page is read.

use std::fs::File;
use std::path::Path;

use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::schema::types::Type;

/// The top-level columns of a Parquet file with their types.
pub fn columns(path: &Path) -> Result<Vec<(String, String)>, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let reader = SerializedFileReader::new(file).map_err(|e| format!("not a Parquet file: {e}"))?;
    let schema = reader.metadata().file_metadata().schema();
    Ok(schema
        .get_fields()
        .iter()
        .map(|f| (f.name().to_owned(), field_type(f)))
        .collect())
}

/// The legacy annotation of a field, from its logical type when it has one.
fn converted(t: &Type) -> ConvertedType {
    let info = t.get_basic_info();
    match info.logical_type_ref() {
        Some(lt) => ConvertedType::from(Some(lt.clone())),
        None => info.converted_type(),
    }
}

/// A field's type, its repetition included (a repeated field outside a LIST is an array).
fn field_type(t: &Type) -> String {
    let inner = value_type(t);
    if t.get_basic_info().has_repetition()
        && t.get_basic_info().repetition() == Repetition::REPEATED
    {
        format!("array<{inner}>")
    } else {
        inner
    }
}

fn value_type(t: &Type) -> String {
    if t.is_primitive() {
        return primitive(t);
    }
    let fields = t.get_fields();
    match converted(t) {
        ConvertedType::LIST => list(t),
        ConvertedType::MAP | ConvertedType::MAP_KEY_VALUE => map(t),
        _ => format!(
            "struct<{}>",
            fields
                .iter()
                .map(|f| format!("{}:{}", f.name(), field_type(f)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// `LIST`: a group holding one repeated field, itself either the element (two-level
/// lists) or a group holding the element (three-level lists).
fn list(t: &Type) -> String {
    let Some(repeated) = t.get_fields().first() else {
        return "array<string>".into();
    };
    let element = if repeated.is_group()
        && repeated.get_fields().len() == 1
        && converted(repeated) != ConvertedType::LIST
    {
        field_type(&repeated.get_fields()[0])
    } else {
        value_type(repeated)
    };
    format!("array<{element}>")
}

/// `MAP`: a group holding a repeated `key_value` group of a key and a value.
fn map(t: &Type) -> String {
    let kv = t.get_fields().first().map(|kv| kv.get_fields());
    match kv {
        Some([k, v]) => format!("map<{},{}>", value_type(k), value_type(v)),
        Some([k]) => format!("map<{},string>", value_type(k)),
        _ => "map<string,string>".into(),
    }
}

fn primitive(t: &Type) -> String {
    let info = t.get_basic_info();
    let decimal = || format!("decimal({},{})", t.get_precision(), t.get_scale());
    if let Some(lt) = info.logical_type_ref() {
        match lt {
            LogicalType::Timestamp(_) => return "timestamp".into(),
            LogicalType::Uuid => return "string".into(),
            _ => {}
        }
    }
    match (t.get_physical_type(), converted(t)) {
        (_, ConvertedType::DECIMAL) => decimal(),
        (Physical::BOOLEAN, _) => "boolean".into(),
        (Physical::INT32, ConvertedType::DATE) => "date".into(),
        (Physical::INT32, ConvertedType::INT_8) => "tinyint".into(),
        (Physical::INT32, ConvertedType::INT_16 | ConvertedType::UINT_8) => "smallint".into(),
        (Physical::INT32, ConvertedType::UINT_16) => "int".into(),
        (Physical::INT32, ConvertedType::UINT_32) => "bigint".into(),
        (Physical::INT32, _) => "int".into(),
        (Physical::INT64, ConvertedType::TIMESTAMP_MILLIS | ConvertedType::TIMESTAMP_MICROS) => {
            "timestamp".into()
        }
        (Physical::INT64, ConvertedType::UINT_64) => "decimal(20,0)".into(),
        (Physical::INT64, _) => "bigint".into(),
        (Physical::INT96, _) => "timestamp".into(),
        (Physical::FLOAT, _) => "float".into(),
        (Physical::DOUBLE, _) => "double".into(),
        (Physical::BYTE_ARRAY, ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON) => {
            "string".into()
        }
        (Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY, _) => "binary".into(),
    }
}
