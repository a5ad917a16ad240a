//! `cargo xtask serve`: builds the release page and serves it with the page's headers. The same
//! small static server runs the end-to-end tests, with or without headers.

use crate::headers::{ALLOW_ANY_ORIGIN, CROSS_ORIGIN_SCRIPTS, PAGE};
use crate::project::{dist, say};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::thread;

/// Which headers a server sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Headers {
    /// The page's own headers (isolation).
    Page,
    /// None at all: a plain static host.
    Bare,
}

/// `serve [--port N] [--no-build]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut port = 8080u16;
    let mut build = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => {
                port = it
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port needs a number from 1 to 65535")?;
            }
            "--no-build" => build = false,
            other => return Err(format!("serve: unknown option `{other}`")),
        }
    }
    if build {
        crate::build::site_with_tools()?;
        crate::steps::report("building the page");
    }
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e} (try --port)"))?;
    say(&format!(
        "serving {} at http://127.0.0.1:{port}/ (Ctrl-C to stop)",
        dist().display()
    ));
    serve_forever(listener, dist(), Headers::Page);
    Ok(())
}

/// Serves `root` on a free loopback port in the background; returns its address.
pub fn spawn(root: PathBuf, headers: Headers) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    thread::spawn(move || serve_forever(listener, root, headers));
    Ok(addr)
}

fn serve_forever(listener: TcpListener, root: PathBuf, headers: Headers) {
    for stream in listener.incoming().flatten() {
        let root = root.clone();
        thread::spawn(move || {
            let _ = handle(stream, &root, headers);
        });
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        // The harness (python/playground/harness.py) opens as text in the reader's tab.
        "txt" | "py" | "" => "text/plain; charset=utf-8",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Maps a request path onto a file under `root`, refusing anything that climbs out.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut file = root.to_path_buf();
    for part in Path::new(path.trim_start_matches('/')).components() {
        match part {
            Component::Normal(p) => file.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn handle(mut stream: TcpStream, root: &Path, headers: Headers) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the request headers; nothing in them changes the answer.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let cross_origin = CROSS_ORIGIN_SCRIPTS.contains(&path);
    let (status, body, ctype) = match (method, resolve(root, target)) {
        ("GET" | "HEAD", Some(file)) => {
            let mut body = Vec::new();
            std::fs::File::open(&file)?.read_to_end(&mut body)?;
            ("200 OK", body, content_type(&file))
        }
        ("GET" | "HEAD", None) => (
            "404 Not Found",
            b"not found\n".to_vec(),
            "text/plain; charset=utf-8",
        ),
        _ => (
            "405 Method Not Allowed",
            Vec::new(),
            "text/plain; charset=utf-8",
        ),
    };
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n",
        body.len()
    );
    if headers == Headers::Page {
        for (name, value) in PAGE {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if cross_origin {
            let (name, value) = ALLOW_ANY_ORIGIN;
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// The servers the browser tests and the bench drive: the page with its headers, the same site
/// bare (a host without headers), and a course page on a third origin.
pub struct TestServers {
    page: SocketAddr,
    bare: SocketAddr,
    host: SocketAddr,
    /// The test build (`target/dist-hooks`) with the page's headers, when it was built.
    hooks: Option<SocketAddr>,
}

impl TestServers {
    /// Starts all three on free loopback ports.
    pub fn start() -> Result<Self, String> {
        let fixtures = crate::project::root()
            .join("tests")
            .join("e2e")
            .join("fixtures");
        Ok(TestServers {
            page: spawn(dist(), Headers::Page)?,
            bare: spawn(dist(), Headers::Bare)?,
            host: spawn(fixtures, Headers::Bare)?,
            hooks: None,
        })
    }

    /// Also serves the test build, with the page's headers.
    pub fn with_hooks(mut self) -> Result<Self, String> {
        self.hooks = Some(spawn(crate::project::dist_hooks(), Headers::Page)?);
        Ok(self)
    }

    /// Passes their URLs (and the browser) to a node script.
    pub fn apply(&self, cmd: &mut std::process::Command, chromium: &Path) {
        let url = |a: &SocketAddr| format!("http://127.0.0.1:{}/", a.port());
        cmd.env("PLAYGROUND_URL", url(&self.page))
            .env("PLAYGROUND_BARE_URL", url(&self.bare))
            .env("PLAYGROUND_HOST_URL", url(&self.host))
            .env("CHROMIUM", chromium);
        if let Some(hooks) = &self.hooks {
            cmd.env("PLAYGROUND_HOOKS_URL", url(hooks));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_leaves_the_root() {
        let root = std::env::temp_dir();
        assert_eq!(resolve(&root, "/../etc/passwd"), None);
        assert_eq!(resolve(&root, "/a/../../x"), None);
    }

    #[test]
    fn serves_with_isolation_headers() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        let addr = spawn(dir.clone(), Headers::Page).unwrap();
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /?tool=async HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
        assert!(reply.contains("Cross-Origin-Embedder-Policy: require-corp"));
        assert!(reply.contains("Cross-Origin-Opener-Policy: same-origin"));
        assert!(reply.ends_with("<p>hi</p>"));
        assert!(
            !reply.contains("Access-Control-Allow-Origin"),
            "the page needs no CORS"
        );
        std::fs::write(dir.join("element.js"), "export {};").unwrap();
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /element.js HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(
            reply.contains("Access-Control-Allow-Origin: *\r\n"),
            "{reply}"
        );
        assert!(reply.contains("Content-Type: text/javascript"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
