/**
 * The demo platform's HTML, server-rendered with hono/jsx. JSX escapes every string it
 * renders, so a caption or username such as `<script>` shows as text. The ids and data
 * attributes here are what `platforms/sites/demo.json` points at: change both together.
 */
import type { Child, FC } from 'hono/jsx';
import type { DemoPost } from './state';

const STYLE = `
body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}
header{display:flex;gap:1rem;align-items:baseline;border-bottom:1px solid #ddd;margin-bottom:1rem}
header h1{font-size:1.2rem;margin-right:auto}
form{display:grid;gap:.6rem;max-width:28rem}
.error{color:#a00;background:#fee;border:1px solid #fbb;padding:.5rem}
.post{border-bottom:1px solid #eee;padding:.5rem 0}
.caption{white-space:pre-wrap}
code{font-size:.8rem;color:#666}
`;

/** Page frame with the navigation of a signed-in (or anonymous) visitor. */
export const Layout: FC<{ title: string; user?: string | null; children?: Child }> = ({ title, user, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <title>{`${title} · Demo Video`}</title>
      <style>{STYLE}</style>
    </head>
    <body>
      <header>
        <h1>
          <a href="/">Demo Video</a>
        </h1>
        {user ? (
          <>
            <span id="signed-in-as" data-username={user}>
              {user}
            </span>
            <a href="/upload">Upload</a>
            <a href="/posts">My posts</a>
          </>
        ) : (
          <a href="/login">Sign in</a>
        )}
      </header>
      <main>{children}</main>
    </body>
  </html>
);

/** A visible error the adapter reads: one element, one stable selector. */
export const ErrorMessage: FC<{ message?: string }> = ({ message }) =>
  message ? (
    <p id="error" class="error" role="alert">
      {message}
    </p>
  ) : null;

export const LoginPage: FC<{ error?: string; username?: string }> = ({ error, username }) => (
  <Layout title="Sign in">
    <h2>Sign in</h2>
    <ErrorMessage message={error} />
    <form id="login" method="post" action="/login">
      <label>
        Username <input name="username" autocomplete="username" value={username ?? ''} required />
      </label>
      <label>
        Password <input name="password" type="password" autocomplete="current-password" required />
      </label>
      <button type="submit" id="sign-in">
        Sign in
      </button>
    </form>
  </Layout>
);

export const OtpPage: FC<{ challenge: string; error?: string }> = ({ challenge, error }) => (
  <Layout title="One-time code">
    <h2>Enter your one-time code</h2>
    <ErrorMessage message={error} />
    <form id="otp" method="post" action="/login/otp">
      <input type="hidden" name="challenge" value={challenge} />
      <label>
        Code <input name="otp" inputmode="numeric" autocomplete="one-time-code" required />
      </label>
      <button type="submit" id="verify">
        Verify
      </button>
    </form>
  </Layout>
);

export const UploadPage: FC<{ user: string; error?: string; caption?: string }> = ({ user, error, caption }) => (
  <Layout title="Upload" user={user}>
    <h2>Upload a video</h2>
    <ErrorMessage message={error} />
    <form id="upload" method="post" action="/upload" enctype="multipart/form-data">
      <label>
        Video <input type="file" name="video" accept="video/*" required />
      </label>
      <label>
        Caption{' '}
        <textarea name="caption" rows={3} maxlength={2200}>
          {caption ?? ''}
        </textarea>
      </label>
      <button type="submit" id="publish">
        Publish
      </button>
    </form>
  </Layout>
);

/** The confirmation the adapter waits for: `[data-post-id]` and `[data-post-url]`. */
export const PublishedPage: FC<{ user: string; post: DemoPost }> = ({ user, post }) => (
  <Layout title="Published" user={user}>
    <h2>Published</h2>
    <p id="published" data-post-id={post.id} data-post-url={post.url}>
      Your video is live at <a href={post.url}>{post.url}</a>
    </p>
    <p class="caption">{post.caption}</p>
  </Layout>
);

const PostItem: FC<{ post: DemoPost }> = ({ post }) => (
  <li class="post" data-post-id={post.id} data-post-url={post.url} data-sha256={post.sha256}>
    <a href={post.url}>{post.id}</a> <span class="caption">{post.caption}</span> <code>{post.createdAt}</code>
  </li>
);

export const PostsPage: FC<{ user: string; posts: DemoPost[] }> = ({ user, posts }) => (
  <Layout title="My posts" user={user}>
    <h2>My posts ({posts.length})</h2>
    <ul id="posts">
      {posts.map((post) => (
        <PostItem post={post} />
      ))}
    </ul>
  </Layout>
);

export const PostPage: FC<{ post: DemoPost; user?: string | null }> = ({ post, user }) => (
  <Layout title={`Post ${post.id}`} user={user}>
    <article id="post" data-post-id={post.id} data-post-url={post.url} data-sha256={post.sha256}>
      <video src={`/media/${post.file}`} controls width={480} />
      <p class="caption">{post.caption}</p>
      <p>
        by <span class="account">{post.account}</span> · <code>{post.createdAt}</code>
      </p>
    </article>
  </Layout>
);

export const HomePage: FC<{ posts: DemoPost[]; user?: string | null }> = ({ posts, user }) => (
  <Layout title="Home" user={user}>
    <h2>Latest videos</h2>
    <ul id="latest">
      {posts.map((post) => (
        <li class="post">
          <a href={post.url}>{post.id}</a> by {post.account}: <span class="caption">{post.caption}</span>
        </li>
      ))}
    </ul>
  </Layout>
);

export const MessagePage: FC<{ title: string; message: string; user?: string | null }> = ({ title, message, user }) => (
  <Layout title={title} user={user}>
    <h2>{title}</h2>
    <ErrorMessage message={message} />
  </Layout>
);
