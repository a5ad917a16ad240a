use super::*;
use crate::experiment::config::{Kind, Tool};
use crate::experiment::url::parse_query;
use crate::wire::host::rejected_message;

fn json(text: &str) -> Json {
    Json::parse(text).unwrap()
}

fn read(text: &str) -> Option<HostRequest> {
    HostRequest::read(&json(text))
}

/// A `run` message with these params and extra top-level fields.
fn run_message(params: Json, extra: &[(&str, Json)]) -> Json {
    let mut message = Json::obj([
        ("source", Json::Str(SOURCE.into())),
        ("type", Json::Str("run".into())),
        ("params", params),
    ]);
    for (key, value) in extra {
        message.push(key, value.clone());
    }
    message
}

fn run_of(message: &Json) -> HostRun {
    match HostRequest::read(message) {
        Some(HostRequest::Run(run)) => run,
        other => panic!("not a run: {other:?}"),
    }
}

/// The params `{key: value}` read.
fn one_param(key: &str, value: Json) -> HostRun {
    run_of(&run_message(Json::Obj(vec![(key.into(), value)]), &[]))
}

fn texts(notices: &[Notice]) -> Vec<String> {
    notices.iter().map(Notice::text).collect()
}

#[test]
fn anything_but_a_message_of_the_contract_reads_as_nothing() {
    let huge = Json::Obj(
        (0..100_000)
            .map(|i| (format!("k{i}"), Json::Uint(i)))
            .collect(),
    );
    let junk = [
        json("null"),
        json("0"),
        json("1e308"),
        json("\"run\""),
        json("\"\""),
        json("[]"),
        json("[1, 2]"),
        json("true"),
        huge,
        long_text(1 << 20),
        json(r#"{"source": "concurrency-playground"}"#),
        json(r#"{"type": "run"}"#),
        json(r#"{"source": "other", "type": "run", "params": {"tool": "threads"}}"#),
        json(r#"{"source": "concurrency-playground", "type": "run", "params": "tool=threads"}"#),
        json(r#"{"source": "concurrency-playground", "type": "run", "params": [1]}"#),
        json(r#"{"source": "concurrency-playground", "type": "run"}"#),
        json(r#"{"source": "concurrency-playground", "type": "run", "params": null}"#),
        json(r#"{"source": "concurrency-playground", "type": "run-finished", "run": {}}"#),
        json(r#"{"source": "Concurrency-Playground", "type": "run", "params": {}}"#),
        json(r#"{"source": "concurrency-playground", "type": "RUN", "params": {}}"#),
        json(r#"{"source": ["concurrency-playground"], "type": "run", "params": {}}"#),
    ];
    for message in junk {
        let shown = message.write();
        assert_eq!(
            HostRequest::read(&message),
            None,
            "{}",
            &shown[..shown.len().min(80)]
        );
    }
}

#[test]
fn ping_set_and_run_are_read() {
    assert_eq!(
        read(r#"{"source": "concurrency-playground", "type": "ping"}"#),
        Some(HostRequest::Ping)
    );
    let set = read(
        r#"{"source": "concurrency-playground", "type": "set", "params": {"tool": "async"},
            "request": "r1", "other": 1}"#,
    );
    let Some(HostRequest::Set { parsed, code }) = set else {
        panic!("{set:?}");
    };
    assert_eq!(parsed.params.tool, Some(Tool::Async));
    assert_eq!(code, None);
    let run = run_of(&json(
        r#"{"source": "concurrency-playground", "type": "run",
            "params": {"tool": "threads", "kind": "cpu", "workers": 4, "unknown": "x"}}"#,
    ));
    assert_eq!(run.parsed.params.tool, Some(Tool::Threads));
    assert_eq!(run.parsed.params.kind, Some(Kind::Cpu));
    assert_eq!(run.parsed.params.workers, Some(4));
    assert!(run.parsed.notices.is_empty());
    assert_eq!((run.request, run.code, run.guess), (None, None, None));
}

#[test]
fn values_are_checked_as_a_urls_are() {
    // Strings and numbers alike, with the URL's very notices.
    let run = run_of(&json(
        r#"{"source": "concurrency-playground", "type": "run",
            "params": {"tasks": "many", "io_ms": 99999, "gil": null}}"#,
    ));
    let url = parse_query("tasks=many&io_ms=99999");
    assert_eq!(run.parsed.params, url.params);
    assert_eq!(run.parsed.notices, url.notices);
    // Numbers read as JavaScript holds them (an f64), written as text.
    assert_eq!(
        one_param("tasks", Json::Num(3.0)).parsed.params.tasks,
        Some(3)
    );
    assert_eq!(
        one_param("tasks", Json::Uint(3)).parsed.params.tasks,
        Some(3)
    );
    let nan = one_param("tasks", Json::Num(f64::NAN));
    assert_eq!(
        texts(&nan.parsed.notices),
        texts(&parse_query("tasks=NaN").notices)
    );
}

#[test]
fn values_too_long_or_of_another_type_are_invalid() {
    let too_long = parse_query("tasks=(a value too long to be valid)").notices;
    let at_most = "1".repeat(MAX_VALUE_UNITS - 1) + "x";
    for value in [
        Json::Str("7".repeat(MAX_VALUE_UNITS + 1)),
        // 33 characters of two UTF-16 units each: as JavaScript counts, too long.
        Json::Str("😀".repeat(33)),
        long_text(1 << 20),
    ] {
        assert_eq!(one_param("tasks", value).parsed.notices, too_long);
    }
    let short = one_param("tasks", Json::Str(at_most.clone()))
        .parsed
        .notices;
    assert_eq!(short, parse_query(&format!("tasks={at_most}")).notices);
    let other = parse_query("tasks=(not a string or number)").notices;
    for value in [
        Json::Bool(true),
        Json::Arr(Vec::new()),
        Json::Obj(Vec::new()),
        json(r#"{"long_text": "1"}"#),
    ] {
        assert_eq!(one_param("tasks", value).parsed.notices, other);
    }
}

#[test]
fn tags_are_short_strings_or_finite_numbers() {
    let tag = |value: Json| run_of(&run_message(json("{}"), &[("request", value)])).request;
    assert_eq!(tag(Json::Str("abc".into())), Some("abc".into()));
    assert_eq!(tag(Json::Str("x".repeat(64))), Some("x".repeat(64)));
    assert_eq!(tag(Json::Uint(7)), Some("7".into()));
    assert_eq!(tag(Json::Num(1.5)), Some("1.5".into()));
    assert_eq!(tag(Json::Num(f64::NAN)), None);
    assert_eq!(tag(Json::Num(f64::INFINITY)), None);
    assert_eq!(tag(Json::Str(String::new())), None);
    assert_eq!(tag(Json::Str("x".repeat(65))), None);
    // 40 characters, 80 bytes.
    assert_eq!(tag(Json::Str("é".repeat(40))), None);
    assert_eq!(tag(long_text(1 << 20)), None);
    assert_eq!(tag(Json::Bool(true)), None);
    assert_eq!(tag(json(r#"{"id": 1}"#)), None);
    assert_eq!(tag(Json::Null), None);
}

#[test]
fn an_untagged_run_runs_clamped_and_shows_why() {
    let run = run_of(&json(
        r#"{"source": "concurrency-playground", "type": "run",
            "params": {"tool": "async", "tasks": "many"}}"#,
    ));
    let notices = run.parsed.notices.clone();
    assert_eq!(notices.len(), 1);
    match run.decide() {
        Decision::Run {
            params,
            request,
            guess,
            notices: shown,
        } => {
            assert_eq!(params.tool, Some(Tool::Async));
            assert_eq!(params.tasks, None, "the default replaces the invalid value");
            assert_eq!((request, guess), (None, None));
            assert_eq!(shown, notices);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_tagged_run_with_an_invalid_value_is_refused_by_name() {
    let run = run_of(&json(
        r#"{"source": "concurrency-playground", "type": "run", "request": "r1",
            "params": {"tool": "async", "tasks": "many", "io_ms": 99999}}"#,
    ));
    let notices = run.parsed.notices.clone();
    let Decision::Refuse { rejection, notice } = run.decide() else {
        panic!("a tagged request with invalid values ran");
    };
    let message = crate::experiment::notice::rejection(&notices).unwrap();
    assert!(message.starts_with("Not run: tasks=\"many\" is not a number."));
    assert_eq!(
        rejection,
        Rejection {
            request: "r1".into(),
            message: message.clone(),
            notices: notices.clone(),
        }
    );
    assert_eq!(rejection.json(), rejected_message("r1", &message, &notices));
    assert_eq!(
        notice,
        Notice::new(Topic::RunRequest, Reason::InvalidRequest(notices))
    );
}

#[test]
fn a_valid_tagged_run_runs_for_its_tag() {
    let run = run_of(&json(
        r#"{"source": "concurrency-playground", "type": "run", "request": 12,
            "params": {"tool": "threads", "prediction": "3.5"}}"#,
    ));
    assert_eq!(
        run.decide(),
        Decision::Run {
            params: Params {
                tool: Some(Tool::Threads),
                ..Params::default()
            },
            request: Some("12".into()),
            guess: Some(3.5),
            notices: Vec::new(),
        }
    );
}

#[test]
fn the_guess_is_read_beside_the_table_and_belongs_to_a_run() {
    assert!(params_keys().any(|k| k == PREDICTION));
    assert!(Field::all().all(|f| params_keys().any(|k| k == f.key())));
    assert_eq!(one_param(PREDICTION, Json::Num(2.0)).guess, Some(2.0));
    let bad = one_param(PREDICTION, Json::Str("fast".into()));
    assert_eq!(bad.guess, None);
    assert_eq!(bad.parsed.notices, vec![read_guess("fast").unwrap_err()]);
    // Tagged, a bad guess is refused like any invalid value.
    let mut tagged = bad.clone();
    tagged.request = Some("r".into());
    assert!(matches!(tagged.decide(), Decision::Refuse { .. }));
    // A `set` drops the guess but says what was wrong with it.
    let set =
        read(r#"{"source": "concurrency-playground", "type": "set", "params": {"prediction": 0}}"#);
    let Some(HostRequest::Set { parsed, .. }) = set else {
        panic!("{set:?}");
    };
    assert_eq!(parsed.notices, vec![read_guess("0").unwrap_err()]);
}

#[test]
fn code_is_a_program_whose_constants_fill_in_what_params_leave_out() {
    let code = "TASKS = 3\nIO_MS = 20\nprint('hi')\n";
    let run = run_of(&run_message(
        json(r#"{"io_ms": 50}"#),
        &[("code", Json::Str(code.into()))],
    ));
    assert_eq!(run.code.as_deref(), Some(code));
    assert_eq!(run.parsed.params.tasks, Some(3), "from the program");
    assert_eq!(
        run.parsed.params.io_ms,
        Some(50),
        "the message's own value wins"
    );
    assert!(run.parsed.notices.is_empty());
    // An invalid constant is an invalid value: a tagged request is refused.
    let mut bad = run_of(&run_message(
        json("{}"),
        &[("code", Json::Str("TASKS = 0\n".into()))],
    ));
    assert_eq!(bad.parsed.notices, parse_query("tasks=0").notices);
    bad.request = Some("r".into());
    assert!(matches!(bad.decide(), Decision::Refuse { .. }));
    // `set` reads it the same way.
    let set = HostRequest::read(&Json::obj([
        ("source", Json::Str(SOURCE.into())),
        ("type", Json::Str("set".into())),
        ("params", json("{}")),
        ("code", Json::Str(code.into())),
    ]));
    let Some(HostRequest::Set {
        parsed,
        code: shown,
    }) = set
    else {
        panic!("{set:?}");
    };
    assert_eq!(
        (parsed.params.tasks, shown.as_deref()),
        (Some(3), Some(code))
    );
}

#[test]
fn code_too_long_or_not_text_is_explained_and_not_taken() {
    let code_of = |value: Json| run_of(&run_message(json("{}"), &[("code", value)]));
    let longest = code_of(Json::Str("#".repeat(MAX_CODE_CHARS)));
    assert_eq!(longest.code.map(|c| c.len()), Some(MAX_CODE_CHARS));
    for (value, chars) in [
        (
            Json::Str("#".repeat(MAX_CODE_CHARS + 1)),
            MAX_CODE_CHARS + 1,
        ),
        (long_text(1 << 20), 1 << 20),
    ] {
        let run = code_of(value);
        assert_eq!(run.code, None);
        assert_eq!(
            run.parsed.notices,
            vec![Notice::new(
                Param::Code,
                Reason::CodeTooLong {
                    chars,
                    max: MAX_CODE_CHARS,
                    in_link: false
                }
            )]
        );
    }
    for value in [Json::Uint(1), Json::Bool(false), json(r#"["print(1)"]"#)] {
        let run = code_of(value);
        assert_eq!(run.code, None);
        assert_eq!(
            run.parsed.notices,
            vec![Notice::new(Param::Code, Reason::CodeUnreadable)]
        );
    }
    let none = code_of(Json::Null);
    assert_eq!((none.code, none.parsed.notices), (None, Vec::new()));
}

#[test]
fn the_keys_read_are_the_ones_named() {
    // The frame's hook copies only these keys out of a browser's message: each must matter,
    // and no other may.
    let without = |message: &Json, key: &str| match message {
        Json::Obj(fields) => Json::Obj(fields.iter().filter(|(k, _)| k != key).cloned().collect()),
        other => other.clone(),
    };
    let params = Json::Obj(
        params_keys()
            .map(|k| (k.to_string(), Json::Str("2".into())))
            .collect(),
    );
    let message = run_message(
        params.clone(),
        &[
            ("request", Json::Str("r".into())),
            ("code", Json::Str("print(1)\n".into())),
            ("other", Json::Str("x".into())),
        ],
    );
    let full = HostRequest::read(&message);
    assert_eq!(HostRequest::read(&without(&message, "other")), full);
    for key in MESSAGE_KEYS {
        assert_ne!(HostRequest::read(&without(&message, key)), full, "{key}");
    }
    for key in params_keys() {
        let fewer = run_message(
            without(&params, key),
            &[
                ("request", Json::Str("r".into())),
                ("code", Json::Str("print(1)\n".into())),
            ],
        );
        assert_ne!(HostRequest::read(&fewer), full, "params.{key}");
    }
}
