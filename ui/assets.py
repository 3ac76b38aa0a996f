"""Stylesheet and the small scripts of the Gradio app (citation clicks, viewer scrolling)."""

CSS = """
.gradio-container { max-width: 1400px !important; }
.table-wrap, .table-wrap table, .table-wrap .body-cell, .table-wrap th { font-family: var(--font) !important; }
#rq-title { margin: 0 0 4px; }
#rq-title h1 { font-size: 1.35em; margin: 0; }
#rq-title p { margin: 2px 0 0; color: var(--body-text-color-subdued); font-size: .9em; }
.rq-empty { color: var(--body-text-color-subdued); font-size: .9em; padding: 8px 2px; line-height: 1.6; }
.rq-sources { display: flex; flex-direction: column; gap: 8px; }
.rq-sources-h { font-weight: 600; font-size: .95em; }
.rq-src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; cursor: pointer;
          background: var(--background-fill-primary); }
.rq-src:hover, .rq-src:focus, .rq-src.rq-active { border-color: var(--color-accent);
          box-shadow: 0 0 0 2px var(--color-accent-soft); outline: none; }
.rq-src-head { display: flex; align-items: baseline; gap: 6px; }
.rq-num { flex: none; min-width: 1.6em; text-align: center; background: var(--color-accent); color: #fff;
          border-radius: 4px; font-weight: 600; font-size: .85em; }
.rq-src-title { font-weight: 600; font-size: .95em; }
.rq-year { flex: none; border: 1px solid var(--color-accent); color: var(--color-accent); border-radius: 999px;
           padding: 0 7px; font-size: .8em; font-weight: 600; font-variant-numeric: tabular-nums; }
.rq-src-meta { font-size: .82em; color: var(--body-text-color-subdued); margin: 2px 0 4px; }
.rq-src-text { font-size: .9em; line-height: 1.65; max-height: 11em; overflow: auto; }
.rq-src-open { font-size: .8em; color: var(--color-accent); margin-top: 4px; }
.rq-sources mark, .rq-viewer mark { background: #ffe58f; color: #1f1f1f; padding: 0 1px; border-radius: 2px; }
a.rq-cite { font-weight: 600; text-decoration: none; color: var(--color-accent) !important; cursor: pointer; }
.rq-refs { font-size: .85em; color: var(--body-text-color-subdued); }
.rq-sum-sources { font-size: .85em; margin-top: 8px; }
.rq-sum-sources ul { padding-left: 1em; }
.rq-status { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; min-height: 1.5em; }
.rq-badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: .85em; font-weight: 600; }
.rq-ok { background: #e6f4ea; color: #1e6b34; }
.rq-warn { background: #fff4e5; color: #8a4b00; }
.rq-refused { background: #eef1f5; color: #3b4a5a; }
.rq-bad { background: #fdecea; color: #a12a1f; }
.rq-engine { font-size: .82em; color: var(--body-text-color-subdued); }
.rq-note { flex-basis: 100%; font-size: .82em; color: #8a4b00; }
.rq-report-head h3 { margin: 0 0 4px; font-size: 1.1em; }
.rq-facts { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: .85em; }
.rq-facts b { color: var(--body-text-color-subdued); font-weight: 500; margin-right: 2px; }
.rq-warnings { font-size: .82em; margin-top: 4px; }
.rq-viewer { display: flex; gap: 14px; align-items: flex-start; }
.rq-toc { flex: 0 0 230px; max-height: 68vh; overflow: auto; font-size: .85em; line-height: 1.5;
          border-right: 1px solid var(--border-color-primary); padding-right: 8px; }
.rq-toc-h { font-weight: 600; margin-bottom: 4px; }
.rq-toc ul { list-style: none; margin: 0; padding-left: 10px; }
.rq-toc > ul { padding-left: 0; }
.rq-toc a { text-decoration: none; color: var(--body-text-color); }
.rq-toc a:hover { color: var(--color-accent); }
.rq-toc-span { color: var(--body-text-color-subdued); font-size: .85em; white-space: nowrap; }
.rq-text { flex: 1; min-width: 0; max-height: 68vh; overflow: auto; line-height: 1.85; padding-right: 6px; }
.rq-doc-header { text-align: center; color: var(--body-text-color-subdued); margin-bottom: 10px; }
.rq-h { font-weight: 700; margin: 14px 0 6px; }
.rq-h1 { font-size: 1.08em; }
.rq-p { margin: 0 0 .55em; padding: 2px 4px; border-radius: 4px; scroll-margin-top: 40px; }
.rq-pn { color: var(--body-text-color-subdued); font-size: .78em; margin-right: .45em; text-decoration: none;
         font-variant-numeric: tabular-nums; }
.rq-target { background: #fff8dc; outline: 2px solid #f0b400; }
.rq-flash { background: var(--color-accent-soft); transition: background .6s; }
@media (max-width: 760px) {
  .rq-viewer { flex-direction: column; }
  .rq-toc { flex: none; width: 100%; max-height: 24vh; border-right: none;
            border-bottom: 1px solid var(--border-color-primary); padding-bottom: 6px; }
  .rq-text { max-height: 60vh; }
}
"""

# Sources panel: a click on a source card, or on any [n] marker in the chat (a link to #cite-<chunk id>),
# asks the server to open that chunk's paragraph in the report viewer.
SOURCES_JS = """
element.addEventListener('click', (e) => {
  const card = e.target.closest('[data-chunk]');
  if (card) { trigger('click', {chunk_id: card.dataset.chunk, quote: card.dataset.quote || ''}); }
});
element.addEventListener('keydown', (e) => {
  const card = e.target.closest('[data-chunk]');
  if (card && (e.key === 'Enter' || e.key === ' ')) {
    e.preventDefault();
    trigger('click', {chunk_id: card.dataset.chunk, quote: card.dataset.quote || ''});
  }
});
if (!window.__rqCiteHandler) {
  window.__rqCiteHandler = true;
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[href^="#cite-"]');
    if (!a) return;
    e.preventDefault();
    e.stopPropagation();
    const id = decodeURIComponent(a.getAttribute('href').slice(6));
    const card = element.querySelector('[data-chunk="' + CSS.escape(id) + '"]');
    trigger('click', {chunk_id: id, quote: card ? (card.dataset.quote || '') : ''});
  }, true);
}
"""

# Report viewer: scroll to the highlighted paragraph whenever the content changes; the section tree scrolls
# the text to a section's first paragraph.
VIEWER_JS = """
const goTarget = () => {
  const t = element.querySelector('.rq-target');
  if (t) { setTimeout(() => t.scrollIntoView({block: 'center'}), 50); }
};
element.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-para], a.rq-pn');
  if (!a) return;
  e.preventDefault();
  const n = a.dataset.para || (a.closest('[data-para]') || {}).dataset?.para;
  const p = element.querySelector('#rq-p-' + n);
  if (p) {
    p.scrollIntoView({block: 'start', behavior: 'smooth'});
    p.classList.add('rq-flash');
    setTimeout(() => p.classList.remove('rq-flash'), 1500);
  }
});
watch('value', goTarget);
goTarget();
"""
