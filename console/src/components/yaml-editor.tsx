// A CodeMirror 6 editor for YAML documents, with the document linter's
// problems (and the server's) underlined at their place and listed by line.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { linter, lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { useEffect, useRef } from "preact/hooks";
import { lintDocuments, type Problem } from "../document-lint";

/** The page's style nonce (the server's CSP admits the editor's <style> element only with it). */
const styleNonce = document.querySelector<HTMLMetaElement>('meta[name="portcullis-style-nonce"]')?.content;

const toDiagnostics = (problems: Problem[], length: number): Diagnostic[] =>
  problems.map((p) => ({
    from: Math.min(p.from, length),
    to: Math.min(Math.max(p.to, p.from), length),
    severity: "error",
    message: p.message,
  }));

export function YamlEditor(props: {
  value: string;
  onChange: (text: string) => void;
  /** Problems found by the server, shown until the next edit. */
  serverProblems: Problem[];
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  useEffect(() => {
    view.current = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          styleNonce ? EditorView.cspNonce.of(styleNonce) : [],
          lineNumbers(),
          history(),
          highlightActiveLine(),
          bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle),
          yaml(),
          lintGutter(),
          linter((v) => toDiagnostics(lintDocuments(v.state.doc.toString()), v.state.doc.length), { delay: 300 }),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ "aria-label": props.label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    return () => view.current?.destroy();
  }, []);
  // A document loaded from the server replaces the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
  }, [props.value]);
  useEffect(() => {
    const v = view.current;
    if (v && props.serverProblems.length > 0)
      v.dispatch(setDiagnostics(v.state, toDiagnostics(props.serverProblems, v.state.doc.length)));
  }, [props.serverProblems]);
  return <div class="editor" ref={host} />;
}
