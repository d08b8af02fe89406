/** The gallery webview's end of its channel to the extension host. */
import type { RpcEndpoint } from '../../src/protocol/rpc.ts';
import type { GalleryHost, GalleryView } from '../../src/protocol/galleryProtocol.ts';

/** The endpoint the gallery's components make requests through. */
export type GalleryRpc = RpcEndpoint<GalleryView, GalleryHost>;

/** Asks for adding a tag (or its exclusion) to the query. */
export interface TagQueryDetail {
  tag: string;
  exclude: boolean;
}
