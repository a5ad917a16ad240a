//! `cargo xtask`: the project's commands. Entry point only: parses the command and runs it.

mod bench;
mod boot;
mod build;
mod dist;
mod headers;
mod imports;
mod lint;
mod offline;
mod pages;
mod project;
mod python;
mod serve;
mod shell;
mod steps;
mod tally;
mod test;
mod toolchain;
mod webkit;

const HELP: &str = "\
cargo xtask <command> [options]

Commands:
  serve [--port N] [--no-build]   install what is missing, build the release page and serve it
                                  with cross-origin isolation at http://127.0.0.1:8080
  test [--repeat N] [--only-e2e] [-- FILE…]
                                  run every test (native; wasm and end-to-end in headless Chromium,
                                  Firefox and WebKit)
                                  and end with one line `N passed, N failed`; --repeat runs the
                                  suites N times and prints each test's pass count
  screenshots                     retake the README's screenshots (docs/screenshots) from the page
  dist                            write the static site to dist/, with a _headers file
  bench [--quick] [--workers N]   measure the page against its limits in headless Chromium;
                                  Markdown table on stdout, JSON in target/bench/latest.json

Environment:
  CONCURRENCY_PLAYGROUND_TOOLS    where tools are cached (default ~/.cache/concurrency-playground/tools)
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("dist") => dist::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("screenshots") => test::screenshots(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{HELP}")),
    };
    if let Err(e) = result {
        eprintln!("xtask: {e}");
        std::process::exit(1);
    }
}
