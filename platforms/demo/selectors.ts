/**
 * The demo platform as data: its pages, elements and error texts. These mirror
 * demo-platform/pages.tsx and its messages; when one changes, change the other (the
 * adapter tests drive the real pages and catch a mismatch).
 */
import type { FormSite } from '../form-site';

export const demoSite = {
  name: 'demo',
  paths: { login: '/login', upload: '/upload', posts: '/posts' },
  selectors: {
    usernameInput: 'input[name=username]',
    passwordInput: 'input[name=password]',
    submit: 'form#login button[type=submit]',
    otpInput: 'input[name=otp]',
    otpSubmit: 'form#otp button[type=submit]',
    signedInMarker: '#signed-in-as',
    fileInput: 'input[type=file][name=video]',
    captionInput: 'textarea[name=caption]',
    publishButton: 'button[type=submit]#publish',
    publishedMarker: '#published[data-post-id]',
    errorMessage: '#error',
    postItem: '#posts [data-post-id]',
    postCaption: '.caption',
  },
  attributes: { postId: 'data-post-id', postUrl: 'data-post-url', sha256: 'data-sha256' },
  errors: [
    { text: 'Invalid username or password', kind: 'bad_credentials' },
    { text: 'Invalid one-time code', kind: 'bad_credentials' },
    { text: 'Sign-in expired', kind: 'session_expired' },
    { text: 'Duplicate video', kind: 'duplicate' },
    { text: 'Not a video file', kind: 'rejected' },
    { text: 'File too large', kind: 'rejected' },
    { text: 'Caption is too long', kind: 'rejected' },
    { text: 'temporarily unavailable', kind: 'unavailable' },
  ],
} as const satisfies FormSite;
