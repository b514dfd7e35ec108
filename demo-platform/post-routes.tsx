/** Reading posts: the home page, an account's own list, a public post page, its video file. */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { HomePage, MessagePage, PostPage, PostsPage } from './pages';
import { render } from './render';
import { requireUser, signedInUser, type SiteEnv } from './session';
import type { DemoState } from './state';

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
  '.ts': 'video/mp2t',
  '.mpg': 'video/mpeg',
  '.flv': 'video/x-flv',
};

/** GET /, /posts, /posts/:id and /media/:file. */
export function postRoutes(state: DemoState, uploadsDir: string): Hono<SiteEnv> {
  return new Hono<SiteEnv>()
    .get('/', (c) => render(c, <HomePage posts={state.posts().slice(0, 50)} user={c.var.user} />))
    .get('/posts', requireUser, (c) => {
      const user = signedInUser(c);
      return render(c, <PostsPage user={user} posts={state.posts(user)} />);
    })
    .get('/posts/:id', (c) => {
      const post = state.post(c.req.param('id'));
      if (!post) return render(c, <MessagePage title="Not found" message="No such post" user={c.var.user} />, 404);
      return render(c, <PostPage post={post} user={c.var.user} />);
    })
    .get('/media/:file', (c) => {
      // Only files that belong to a post, so the route can never read outside uploadsDir.
      const file = c.req.param('file');
      const post = state.posts().find((p) => p.file === file);
      if (!post) return c.notFound();
      const stream = Readable.toWeb(createReadStream(path.join(uploadsDir, post.file))) as ReadableStream<Uint8Array>;
      return c.body(stream, 200, {
        'Content-Type': CONTENT_TYPES[path.extname(post.file)] ?? 'application/octet-stream',
        'Content-Length': String(post.size),
      });
    });
}
