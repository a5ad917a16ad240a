//! The contract between the playground in a frame and the page that embeds it, as JSON
//! (`docs/embedding.md` documents it): every message both ways, the rules a host's request is
//! held to, and the frame's answer to it. `www/element.js` is the host's side.
//!
//! In (host → frame), read by [`request`]: `run` and `set` with `params` as in the URL (a `run`
//! may carry a `request` tag, a guess under `params.prediction` and a program as `code`), and
//! `ping`. A tagged `run` with an invalid value is refused; an untagged one runs clamped.
//! Out (frame → host): `ready` once the engines are calibrated (and again on a `ping`),
//! `height` whenever the content's height changes, and a `run`'s answer ([`RunAnswer`]):
//! `run-finished` for every finished run, `run-rejected` for a tagged request that will not run.

pub mod request;

use crate::experiment::notice::Notice;
use crate::experiment::params::Param;
use crate::json::{Json, ToJson};
use crate::run::record::RunRecord;
use crate::run::timeline::Build;

/// Every message of the contract carries this `source`.
pub const SOURCE: &str = "concurrency-playground";

/// What the host learns when the frame is ready.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadyInfo {
    /// `crossOriginIsolated` in the frame.
    pub isolated: bool,
    /// Whether the threads tool runs here (isolated, and its build's pool started).
    pub threads: bool,
    /// The engine build that runs threads and their sequential baseline here.
    pub build: Build,
    /// The cores the browser reports.
    pub cores: u32,
    /// The current experiment as a full page, to open in a new tab where threads are off.
    pub popout: String,
}

/// `{source, type: "ready", isolated, threads, build, cores, popout}`.
pub fn ready_message(info: &ReadyInfo) -> String {
    Json::obj([
        ("source", SOURCE.to_json()),
        ("type", "ready".to_json()),
        ("isolated", info.isolated.to_json()),
        ("threads", info.threads.to_json()),
        ("build", info.build.to_json()),
        ("cores", info.cores.to_json()),
        ("popout", info.popout.to_json()),
    ])
    .write()
}

/// `{source, type: "height", height}`: the content's height in CSS pixels, rounded up so the
/// host never cuts the last pixel row.
pub fn height_message(height: f64) -> String {
    Json::obj([
        ("source", SOURCE.to_json()),
        ("type", "height".to_json()),
        ("height", height.max(0.0).ceil().to_json()),
    ])
    .write()
}

/// `{source, type: "run-finished", run, request?}`.
pub fn run_finished_message(record: &RunRecord, request: Option<&str>) -> String {
    let mut message = Json::obj([
        ("source", SOURCE.to_json()),
        ("type", "run-finished".to_json()),
        ("run", record.to_json()),
    ]);
    if let Some(request) = request {
        message.push("request", request.to_json());
    }
    message.write()
}

/// `{source, type: "run-rejected", request, message, notices}`: a tagged request that will not
/// run (bad input, refused, replaced by a newer one, declined); `message` is the page's notice.
pub fn rejected_message(request: &str, message: &str, notices: &[Notice]) -> String {
    let notices = notices
        .iter()
        .map(|n| {
            Json::obj([
                ("param", n.topic.as_str().to_json()),
                ("message", n.text().to_json()),
            ])
        })
        .collect();
    Json::obj([
        ("source", SOURCE.to_json()),
        ("type", "run-rejected".to_json()),
        ("request", request.to_json()),
        ("message", message.to_json()),
        ("notices", Json::Arr(notices)),
    ])
    .write()
}

/// What answers a `run`: the run's record, or why it will not run. A run the page starts by
/// itself (the visitor's, a baseline) is answered too, untagged: a host hears of every run.
// Nearly every answer is a record (every run has one; a rejection is rare): boxing it would
// cost every run an allocation to make the rare answer smaller.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum RunAnswer {
    /// `run-finished`: the record, and the request's tag when the run answers a tagged request.
    Finished {
        /// The run's record.
        record: RunRecord,
        /// The host's tag.
        request: Option<String>,
    },
    /// `run-rejected`: a tagged request that will not run.
    Rejected(Rejection),
}

/// Why a tagged request will not run: `run-rejected`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    /// The host's tag.
    pub request: String,
    /// Why, as the page's notice says it.
    pub message: String,
    /// The invalid values, one notice each (none for the other reasons).
    pub notices: Vec<Notice>,
}

impl RunAnswer {
    /// The message to post to the host, as JSON text.
    pub fn json(&self) -> String {
        match self {
            RunAnswer::Finished { record, request } => {
                run_finished_message(record, request.as_deref())
            }
            RunAnswer::Rejected(rejection) => rejection.json(),
        }
    }
}

impl Rejection {
    /// `run-rejected`, as JSON text.
    pub fn json(&self) -> String {
        rejected_message(&self.request, &self.message, &self.notices)
    }
}

/// The `<concurrency-playground>` tag for an experiment's query string (as `url::to_query` writes
/// it): each parameter becomes its attribute (see [`crate::experiment::params::PARAMS`]); one
/// the element has no attribute for is left out. `code`, a Python program, becomes the element's
/// inline `<script type="text/x-python">` (unless it holds `</script`, which would end it early:
/// then the tag has none).
pub fn element_tag(query: &str, run: bool, code: Option<&str>) -> String {
    let mut tag = String::from("<concurrency-playground");
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(attribute) = Param::from_key(key).and_then(|p| p.spec().attribute) else {
            continue;
        };
        // The query's values are names and numbers: nothing to escape in an attribute.
        tag.push_str(&format!(" {attribute}=\"{value}\""));
    }
    if let Some(attribute) = Param::Run.spec().attribute.filter(|_| run) {
        tag.push_str(&format!(" {attribute}"));
    }
    tag.push('>');
    if let Some(code) = code.filter(|c| !c.to_ascii_lowercase().contains("</script")) {
        tag.push_str("\n  <script type=\"text/x-python\">\n");
        for line in code.trim_end().lines() {
            if !line.is_empty() {
                tag.push_str("    ");
            }
            tag.push_str(line);
            tag.push('\n');
        }
        tag.push_str("  </script>\n");
    }
    tag.push_str("</concurrency-playground>");
    tag
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::notice::rejection;
    use serde_json::Value;

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn ready_names_isolation_threads_and_build() {
        let m = parse(&ready_message(&ReadyInfo {
            isolated: false,
            threads: false,
            build: Build::Plain,
            cores: 4,
            popout: "https://x/?tool=threads".into(),
        }));
        assert_eq!(m["source"], SOURCE);
        assert_eq!(m["type"], "ready");
        assert_eq!(m["isolated"], false);
        assert_eq!(m["threads"], false);
        assert_eq!(m["build"], "plain");
        assert_eq!(m["cores"], 4);
        assert_eq!(m["popout"], "https://x/?tool=threads");
    }

    #[test]
    fn height_rounds_up() {
        assert_eq!(parse(&height_message(700.2))["height"], 701.0);
        assert_eq!(parse(&height_message(-3.0))["height"], 0.0);
    }

    #[test]
    fn a_rejection_carries_the_pages_notices() {
        let notices = crate::experiment::url::parse_query("tasks=many&io_ms=99999").notices;
        let why = rejection(&notices).unwrap();
        let m = parse(&rejected_message("r1", &why, &notices[..1]));
        assert_eq!(m["type"], "run-rejected");
        assert_eq!(m["request"], "r1");
        assert_eq!(m["message"], why);
        assert_eq!(m["notices"][0]["param"], "tasks");
        assert_eq!(
            m["notices"][0]["message"],
            "tasks=\"many\" is not a number; using the default. Allowed: 1 to 10000."
        );
    }

    #[test]
    fn the_element_tag_mirrors_the_query() {
        assert_eq!(
            element_tag("tool=threads&kind=cpu&io_ms=50&cpu_iters=1000", true, None),
            "<concurrency-playground tool=\"threads\" kind=\"cpu\" io-ms=\"50\" \
             cpu-iters=\"1000\" run></concurrency-playground>"
        );
        assert_eq!(
            element_tag("", false, None),
            "<concurrency-playground></concurrency-playground>"
        );
        assert_eq!(
            element_tag(
                "engine=cpython",
                false,
                Some("for n in range(3):\n\n    print(n)\n")
            ),
            "<concurrency-playground engine=\"cpython\">\n  <script type=\"text/x-python\">\n    \
             for n in range(3):\n\n        print(n)\n  </script>\n</concurrency-playground>"
        );
        assert_eq!(
            element_tag("", false, Some("s = '</SCRIPT>'")),
            "<concurrency-playground></concurrency-playground>",
            "a program that would end the script early is left out"
        );
    }
}
