/** Text for HTML and SVG content and attribute values: the lab's one escaping (`@lab/shared`). */
export { escapeHtml } from '@lab/shared';
