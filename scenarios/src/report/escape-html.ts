/** Text for HTML and SVG content and attribute values: the lab's one escaping (`@lab/kit`). */
export { escapeHtml } from '@lab/kit';
