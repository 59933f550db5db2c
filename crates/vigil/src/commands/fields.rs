//! `vigil fields`: the field catalogue of each source.

use std::io::{BufWriter, Write};

use anyhow::Result;
use vigil_event::{ArgKind, FieldInfo};

use crate::ExitStatus;
use crate::args::FieldsArgs;
use crate::schemas;

pub(crate) fn run(args: &FieldsArgs) -> Result<ExitStatus> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    for schema in schemas::all() {
        if args.source.is_some_and(|s| s.as_str() != schema.source()) {
            continue;
        }
        if args.json {
            for f in schema.fields() {
                let v = serde_json::json!({
                    "source": schema.source(),
                    "name": f.name,
                    "type": f.ty.as_str(),
                    "list": f.list,
                    "arg": arg_name(f),
                    "arg_required": f.arg_required,
                    "deprecated": f.deprecated,
                    "doc": f.doc,
                });
                writeln!(out, "{v}")?;
            }
            continue;
        }
        let mut class = "";
        for f in schema.fields() {
            let c = f.name.split('.').next().unwrap_or(f.name);
            if c != class {
                class = c;
                writeln!(out, "\nField class: {class} (source {})\n", schema.source())?;
            }
            let name = display_name(f);
            let mut ty = f.ty.as_str().to_string();
            if f.list {
                ty.push_str(" (list)");
            }
            let dep = if f.deprecated { " [deprecated]" } else { "" };
            writeln!(out, "{name:<40} {ty:<16} {}{dep}", f.doc)?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

fn arg_name(f: &FieldInfo) -> Option<&'static str> {
    match f.arg {
        ArgKind::None => None,
        ArgKind::Index => Some("index"),
        ArgKind::Key => Some("key"),
        ArgKind::IndexOrKey => Some("index_or_key"),
    }
}

fn display_name(f: &FieldInfo) -> String {
    let arg = match f.arg {
        ArgKind::None => return f.name.to_string(),
        ArgKind::Index => "N",
        ArgKind::Key => "KEY",
        ArgKind::IndexOrKey => "N|KEY",
    };
    if f.arg_required {
        format!("{}[{arg}]", f.name)
    } else {
        format!("{}[[{arg}]]", f.name)
    }
}
