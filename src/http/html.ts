// Text put into HTML that OpenOM serves (the hosted test checkout, the html_snippet): every
// merchant- or shopper-supplied string goes through escapeHtml, in element content and in
// double-quoted attribute values alike.
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
