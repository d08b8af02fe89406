/** The editors' side of the editor protocol. */
import type { RpcEndpoint } from '../../src/protocol/rpc.ts';
import type { EditorHost, EditorView } from '../../src/protocol/editorProtocol.ts';

/** The endpoint an editor webview talks to the host through. */
export type EditorRpc = RpcEndpoint<EditorView, EditorHost>;

/** What `init` carries: everything an editor shows. */
export type EditorInit = EditorView['notifications']['init'];

/** How many suggestions the add box asks for. */
export const suggestionLimit = 20;
