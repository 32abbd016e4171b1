// eslint-disable-next-line no-control-regex -- XML 1.0 has no way to write these characters: they are dropped
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/** Text or an attribute value in an XML report (JUnit): escaped, and without characters XML cannot hold. */
export const xmlText = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(NOT_XML, '');
