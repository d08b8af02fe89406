/** Entry of the caption editor webview (dist/webview/captionEditor.js). */
import './captionEditor.ts';
import { bootEditor } from './editorBoot.ts';

bootEditor('tb-caption-editor');
