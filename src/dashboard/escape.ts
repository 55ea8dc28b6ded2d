/** Escapes a value for HTML text and attribute values: everything the API says is shown through it. */
export const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
