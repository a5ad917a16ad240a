// <python-editor>: the page's Python editor (CodeMirror 6: highlighting, line numbers, Tab
// indents). Bundled by `cargo xtask` with esbuild into dist/python/editor.js and loaded only when
// the visitor picks CPython; the first load never carries it.
//
//   value            the text (a property; setting it does not fire `input`)
//   code-link attr   compressed code from a link: the editor decompresses it into `value` and
//                    fires `input`, or `code-link-error` when it is not code this page wrote
//   input            the visitor changed the text
//   code-link        (detail: the text, compressed for a link) after each change, 300 ms later
//   thread-lines attr  [[line, colour], …]: each stepped thread's next line, marked in its
//                    thread's colour (set by <thread-scheduler>)
//
// Keyboard: Tab indents; Escape, then Tab, leaves the editor (CodeMirror's rule, so that the
// editor is no keyboard trap). No completion pop-ups: they would cover the code being taught,
// and their tooltip sets a style attribute, which the page's CSP (style-src 'self') refuses.
import {
  Decoration, EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
} from "@codemirror/view";
import { EditorState, Compartment, StateEffect, StateField } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { python } from "@codemirror/lang-python";
import { oneDark } from "@codemirror/theme-one-dark";

/** Text → deflate → URL-safe base64 (no padding). */
export async function compress(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The inverse of `compress`; throws on anything else. At most 1 MB of text comes out. */
export async function decompress(link) {
  const binary = atob(link.replaceAll("-", "+").replaceAll("_", "/"));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const text = await new Response(stream).text();
  if (text.length > 1_000_000) throw new Error("more than 1 MB of code");
  return text;
}

const dark = matchMedia("(prefers-color-scheme: dark)");

/** The stepped threads' next lines (`thread-lines`), as line decorations. */
const setThreadLines = StateEffect.define();
const threadLines = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const effect of tr.effects) if (effect.is(setThreadLines)) marks = effect.value;
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});
/** The threads' colours, as the scheduler's swatches (style.css `.swatch.thread-N`). */
const THREAD_COLOURS = ["#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2"];
const threadTheme = EditorView.theme(Object.fromEntries(THREAD_COLOURS.map((c, i) => [
  `.cm-thread-${i}`, { boxShadow: `inset 4px 0 0 ${c}`, backgroundColor: `${c}22` },
])));

/** The page's own colours and fonts, through its CSS custom properties. */
const pageTheme = EditorView.theme({
  "&": { fontSize: "0.9rem", border: "1px solid var(--line)", borderRadius: "var(--radius)" },
  "&.cm-focused": { outline: "3px solid var(--focus)", outlineOffset: "2px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.45", minHeight: "12rem", maxHeight: "32rem" },
});

/**
 * Typing over a selection that spans lines is done here, not by the browser: Chromium's own
 * editing merges the lines' elements and sets a style attribute on them, which the page's CSP
 * (style-src 'self') refuses, with a console error, before CodeMirror redraws anyway.
 */
const replaceSelectionOurselves = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.inputType !== "insertText" || view.state.selection.ranges.every((r) => r.empty)) return false;
    event.preventDefault();
    view.dispatch(view.state.replaceSelection(event.data ?? ""), { userEvent: "input.type", scrollIntoView: true });
    return true;
  },
});

class PythonEditor extends HTMLElement {
  static observedAttributes = ["code-link", "thread-lines"];
  #view = null;
  #pending = "";
  #quiet = false;
  #linkTimer = 0;
  #theme = new Compartment();

  constructor() {
    super();
    // The page may set `value` before this module defined the element: that made an own
    // property, which would hide the accessor below. Take it over.
    if (Object.prototype.hasOwnProperty.call(this, "value")) {
      this.#pending = String(this.value ?? "");
      delete this.value;
    }
  }

  connectedCallback() {
    if (this.#view) return;
    const root = this.attachShadow({ mode: "open" });
    this.#view = new EditorView({
      root,
      parent: root,
      state: EditorState.create({
        doc: this.#pending,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightActiveLine(),
          history(),

          indentOnInput(),
          bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          python(),
          pageTheme,
          threadTheme,
          threadLines,
          this.#theme.of(dark.matches ? oneDark : []),
          replaceSelectionOurselves,
          // The text is focusable (contenteditable), yet checkers such as axe count only an
          // element with a tabindex as one the keyboard reaches inside the scrolling editor.
          EditorView.contentAttributes.of({ "aria-label": "Python code (Tab indents; Escape, then Tab, leaves the editor)", tabindex: "0" }),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged || this.#quiet) return;
            this.dispatchEvent(new Event("input", { bubbles: true }));
            this.#linkSoon();
          }),
        ],
      }),
    });
    dark.addEventListener("change", () => {
      this.#view.dispatch({ effects: this.#theme.reconfigure(dark.matches ? oneDark : []) });
    });
    const link = this.getAttribute("code-link");
    if (link) this.#open(link);
  }

  attributeChangedCallback(name, before, after) {
    if (name === "code-link" && after && after !== before && this.#view) this.#open(after);
    if (name === "thread-lines" && this.#view) this.#markThreads(after);
  }

  /** Marks each stepped thread's next line; lines outside the text are left out. */
  #markThreads(text) {
    let lines = [];
    try {
      lines = JSON.parse(text || "[]");
    } catch {
      lines = [];
    }
    const doc = this.#view.state.doc;
    const marks = lines
      .filter(([line]) => Number.isInteger(line) && line >= 1 && line <= doc.lines)
      .sort((a, b) => a[0] - b[0])
      .map(([line, colour]) => Decoration.line({ class: `cm-thread-${colour}` }).range(doc.line(line).from));
    this.#view.dispatch({ effects: setThreadLines.of(Decoration.set(marks, true)) });
  }

  get value() {
    return this.#view ? this.#view.state.doc.toString() : this.#pending;
  }

  set value(text) {
    text = String(text ?? "");
    if (!this.#view) {
      this.#pending = text;
      return;
    }
    if (text === this.value) return;
    this.#quiet = true;
    try {
      this.#view.dispatch({ changes: { from: 0, to: this.#view.state.doc.length, insert: text } });
    } finally {
      this.#quiet = false;
    }
    // The page changed the text (its constants, say): a link must say so too.
    this.#linkSoon();
  }

  /** Shows the code a link carried, as if the visitor had typed it. */
  async #open(link) {
    try {
      const text = await decompress(link);
      this.value = text;
      this.dispatchEvent(new Event("input", { bubbles: true }));
    } catch (error) {
      this.dispatchEvent(new CustomEvent("code-link-error", { detail: String(error?.message ?? error), bubbles: true }));
    }
  }

  #linkSoon() {
    clearTimeout(this.#linkTimer);
    this.#linkTimer = setTimeout(async () => {
      const detail = await compress(this.value);
      this.dispatchEvent(new CustomEvent("code-link", { detail, bubbles: true }));
    }, 300);
  }
}

if (!customElements.get("python-editor")) customElements.define("python-editor", PythonEditor);
