/** Entry of the image editor webview (dist/webview/imageEditor.js). */
import './imageEditor.ts';
import { bootEditor } from './editorBoot.ts';

bootEditor('tb-image-editor');
