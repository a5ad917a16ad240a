//! The table agrees with itself, with the types it names and with the scripts that read the
//! same parameters without Rust (`www/element.js`, `www/coi.js`).

use super::*;
use crate::experiment::config::{Machine, Params};
use std::collections::BTreeMap;

const ELEMENT_JS: &str = include_str!("../../../../../www/element.js");
const COI_JS: &str = include_str!("../../../../../www/coi.js");

fn every_param() -> Vec<Param> {
    let mut all: Vec<Param> = Field::SHOWN.into_iter().map(Param::Field).collect();
    all.extend([
        Param::Run,
        Param::Embed,
        Param::Code,
        Param::Coi,
        Param::Predict,
        Param::View,
        Param::Controls,
    ]);
    all
}

#[test]
fn every_parameter_has_one_entry_and_names_of_its_own() {
    let all = every_param();
    assert_eq!(PARAMS.len(), all.len());
    for p in &all {
        assert_eq!(PARAMS.iter().filter(|s| s.param == *p).count(), 1, "{p:?}");
        assert_eq!(Param::from_key(p.key()), Some(*p));
    }
    let attributes: Vec<_> = PARAMS.iter().filter_map(|s| s.attribute).collect();
    let mut unique = attributes.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), attributes.len(), "{attributes:?}");
}

#[test]
fn the_shown_order_holds_every_field_once() {
    let mut shown = Field::SHOWN.to_vec();
    let mut all: Vec<Field> = Field::all().collect();
    assert_eq!(all.len(), shown.len());
    let key = |f: &Field| f.key();
    shown.sort_by_key(key);
    all.sort_by_key(key);
    assert_eq!(shown, all);
}

#[test]
fn fields_have_a_json_key_and_a_row_attribute_and_the_page_s_own_have_neither() {
    for spec in &PARAMS {
        let field = matches!(spec.param, Param::Field(_));
        assert_eq!(spec.json.is_some(), field, "{}", spec.key);
        assert_eq!(spec.row.is_some(), field, "{}", spec.key);
        if let (Some(row), Some(attribute)) = (spec.row, spec.attribute) {
            assert_eq!(
                row,
                format!("data-{attribute}"),
                "a row and the element agree"
            );
        }
    }
}

#[test]
fn defaults_are_what_an_empty_experiment_resolves_to() {
    let machine = Machine {
        cores: 2,
        calibrated_cpu_iters: 5,
    };
    let e = Params::default().resolve(&machine);
    for f in Field::all() {
        let want = match f.spec().default {
            DefaultValue::Name(n) => Value::Name(n),
            DefaultValue::Number(n) => Value::Number(n),
            DefaultValue::Depends(_) => continue,
            DefaultValue::Flag(_) => panic!("{} is not a flag", f.key()),
        };
        assert_eq!(e.value(f), want, "{}", f.key());
    }
}

#[test]
fn names_and_numbers_reach_their_field_and_come_back() {
    for f in Field::all() {
        let mut p = Params::default();
        match f.spec().values {
            Values::Names(names) => {
                assert!(f.spec().default_name().is_some(), "{}", f.key());
                for name in names() {
                    p.set(f, Some(Value::Name(name)));
                    assert_eq!(p.value(f), Some(Value::Name(name)));
                }
            }
            Values::Number((min, max)) => {
                for n in [min, max] {
                    p.set(f, Some(Value::Number(n)));
                    assert_eq!(p.value(f), Some(Value::Number(n)));
                }
            }
            Values::Flag | Values::OptOut | Values::Text(_) | Values::Keys => {
                panic!("{} is a field", f.key())
            }
        }
        p.set(f, None);
        assert_eq!(p.value(f), None);
    }
}

#[test]
fn the_pool_size_is_used_by_the_tools_with_a_pool() {
    for tool in Tool::ALL {
        for kind in Kind::ALL {
            assert_eq!(Field::Workers.used_by(tool, kind), tool.has_pool());
        }
    }
}

/// The entries of the object literal `const NAME = { … };` in `script`, quotes removed.
fn js_object(script: &str, name: &str) -> BTreeMap<String, String> {
    let start = format!("const {name} = {{");
    let body = script
        .split_once(&start)
        .and_then(|(_, rest)| rest.split_once("};"))
        .unwrap_or_else(|| panic!("no `{start}` in the script"))
        .0;
    let unquote = |s: &str| s.trim().trim_matches('"').to_string();
    body.split(',')
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| {
            let (k, v) = entry.split_once(':').expect("key: value");
            (unquote(k), unquote(v))
        })
        .collect()
}

#[test]
fn the_element_s_attributes_are_the_table_s() {
    let fields: BTreeMap<String, String> = Field::all()
        .filter_map(|f| Some((f.spec().attribute?.to_string(), f.key().to_string())))
        .collect();
    assert_eq!(
        js_object(ELEMENT_JS, "PARAMS"),
        fields,
        "www/element.js's PARAMS (attribute → key) and the table disagree"
    );
    // A script may also spell a key as its attribute or in camelCase.
    let mut aliases = BTreeMap::new();
    for (attribute, key) in fields.iter().filter(|(a, k)| a != k) {
        let camel: String = attribute
            .split('-')
            .enumerate()
            .map(|(i, w)| match i {
                0 => w.to_string(),
                _ => w[..1].to_uppercase() + &w[1..],
            })
            .collect();
        aliases.insert(attribute.clone(), key.clone());
        aliases.insert(camel, key.clone());
    }
    assert_eq!(js_object(ELEMENT_JS, "ALIASES"), aliases);
    let observed = ELEMENT_JS
        .lines()
        .find(|l| l.contains("static observedAttributes"))
        .expect("the element observes its attributes");
    let header: String = ELEMENT_JS
        .lines()
        .take_while(|l| l.starts_with("//"))
        .collect();
    for spec in &PARAMS {
        let Some(attribute) = spec.attribute else {
            continue;
        };
        assert!(
            header.contains(&format!("`{attribute}`")),
            "element.js's header lists `{attribute}`"
        );
        if !matches!(spec.param, Param::Field(_)) {
            assert!(
                observed.contains(&format!("\"{attribute}\"")),
                "{attribute}"
            );
        }
    }
}

#[test]
fn coi_js_reads_its_parameter() {
    assert!(COI_JS.contains(&format!(".get(\"{}\")", Param::Coi.key())));
}

/// docs/url.md lists every parameter of the table, each with the table's meaning: the doc is
/// checked against the declaration, not kept by hand beside it.
#[test]
fn the_url_doc_lists_every_parameter_with_its_meaning() {
    let doc = include_str!("../../../../../docs/url.md");
    for spec in PARAMS {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", spec.key)))
            .unwrap_or_else(|| panic!("docs/url.md has no row for `{}`", spec.key));
        let meaning = super::help::help(spec.param);
        assert!(
            row.contains(meaning),
            "docs/url.md's row for `{}` does not say: {meaning}",
            spec.key
        );
    }
}
