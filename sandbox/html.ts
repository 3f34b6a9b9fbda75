const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Everything that reaches a page goes through this, attributes included. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const STYLE = `
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}
.banner{background:#0b5cff;color:#fff;padding:.4rem .8rem;border-radius:4px;font-size:.85rem}
.error{border-left:4px solid #c00;padding:.5rem 1rem;background:#fee}
fieldset{border:1px solid #ccc;border-radius:4px}label{display:block;margin:.3rem 0}
button{padding:.4rem 1rem;margin-right:.5rem}code{background:#f3f3f3;padding:0 .2rem}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}
`;

/** `title` is plain text; `body` must already be escaped HTML. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<p class="banner">Zoom sandbox: a local emulator. Nothing here talks to Zoom.</p>
${body}
</body>
</html>
`;
}

export function hidden(name: string, value: string | undefined): string {
  return value === undefined
    ? ''
    : `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}
