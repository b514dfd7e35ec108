/**
 * The page layout every stand-in's consent screen and error page share, server-rendered with
 * hono/jsx (which escapes every string). Each provider brings its own colours and banner, and
 * its own wording inside; the banner says plainly that the page is a local stand-in.
 */
import type { Child, FC } from 'hono/jsx';

/** What makes a provider's pages look like its own. */
export interface PageLook {
  /** The line above every page saying whose stand-in this is. */
  banner: string;
  /** The page's stylesheet. */
  style: string;
}

/** The `<html>` frame with `look`'s banner and stylesheet around a page's content. */
export function pageFrame(look: PageLook): FC<{ title: string; children?: Child }> {
  return ({ title, children }) => (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{title}</title>
        <style>{look.style}</style>
      </head>
      <body>
        <p class="banner">{look.banner}</p>
        {children}
      </body>
    </html>
  );
}

/** A validated request's parameters as hidden inputs, so the form's post carries them back. */
export const HiddenFields: FC<{ fields: readonly (readonly [string, string])[] }> = ({ fields }) => (
  <>
    {fields.map(([name, value]) => (
      <input type="hidden" name={name} value={value} />
    ))}
  </>
);

/** A rendered page as a full HTML document. */
export async function renderDocument(page: { toString(): string | Promise<string> }): Promise<string> {
  return `<!doctype html>${await page.toString()}`;
}
