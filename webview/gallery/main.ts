/** Boots the gallery webview: connects <tb-gallery> to the extension host and says it is ready. */
import type { GalleryHost, GalleryView } from '../../src/protocol/galleryProtocol.ts';
import { vsCodeApi } from '../shared/vscodeApi.ts';
import { connectToHost } from '../shared/webviewRpc.ts';
import './galleryApp.ts';
import type { GallerySavedState } from './galleryApp.ts';

performance.mark('tagbench:script');
const api = vsCodeApi<GallerySavedState>();
const rpc = connectToHost<GalleryView, GalleryHost>(api);
document.body.style.margin = '0';
document.body.style.padding = '0';
document.body.style.overflow = 'hidden';
const app = document.querySelector('tb-gallery') ?? document.body.appendChild(document.createElement('tb-gallery'));
app.connect(rpc, api);
rpc.notify('ready', {});
