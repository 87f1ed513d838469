"""The one Streamlit component that draws HTML charts (``views.ui.htmlcharts``,
``views.ui.timecharts`` and the pages' own builders): its CSS (theme colours from Streamlit's
``--st-*`` variables, so light and dark both read), a hover tip that follows the pointer and stays
on screen, and clicks sent back as the ``data-pick`` of what was clicked (a bar, a heat-table row,
a legend entry; Enter and Space do the same from the keyboard). The CSS is every page's: a bar's
label wraps instead of being cut (a long reason name stays whole), a stacked column's period label
may pass its narrow column; a page's builder adds only what its own chart needs.

``draw(markup, key, on_pick)`` calls ``on_pick(value)`` before the script reruns, so a click can
set a sidebar filter the way a sidebar widget would (``sidebar.pick_member``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CSS = """
:host, .fg { font-family: var(--st-font, sans-serif); color: var(--st-text-color, #222); }
.fg { font-size: 12.5px; line-height: 1.3; container-type: inline-size; }
.hc { margin: 2px 0 10px; }
.ht { font-weight: 600; font-size: 13.5px; margin: 0 0 2px; }
.hn { font-size: 12px; opacity: .72; margin: 0 0 4px; }
.pk { cursor: pointer; }
.pk:focus-visible { outline: 2px solid var(--st-primary-color, #1c6fd1); outline-offset: 1px; }
.bs { display: grid; grid-template-columns: minmax(0, 1fr); row-gap: 3px; }
.br { display: grid; grid-template-columns: minmax(90px, 34%) minmax(0, 1fr); column-gap: 8px;
  align-items: center; min-height: 20px; border-radius: 3px; }
.br.pk:hover { background: var(--st-secondary-background-color, rgba(128,128,128,.1)); }
.bl { overflow: hidden; overflow-wrap: anywhere; line-height: 1.15; text-align: right; }
.br.ch .bl { font-weight: 700; }
.br.ch .bl::after { content: " \\25CF"; }
.br.fd .bl { opacity: .6; }
.bk { position: relative; height: 18px; }
.bz { position: absolute; left: 0; top: 0; bottom: 0; width: 70%; }
.bz i { position: absolute; display: block; }
.bb { top: 2px; height: 14px; border-radius: 2px; }
.br.fd .bb, .br.fd .wh, .br.fd .dt { opacity: .35; }
.br.ch .bb { box-shadow: 0 0 0 2px var(--st-text-color, #222); }
.wh { top: 8px; height: 2px; }
.dt { top: 3px; width: 12px; height: 12px; margin-left: -6px; border-radius: 50%;
  border: 2px solid; box-sizing: border-box; }
.tl { top: -2px; bottom: -2px; width: 0; border-left: 1.5px dashed #8c8c8c; }
.bz b { position: absolute; top: 1px; font-weight: 400; white-space: nowrap; font-size: 12px; }
.lg { display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 12px; margin-top: 4px; }
.li { display: inline-flex; align-items: center; gap: 5px; border-radius: 3px; padding: 0 3px; }
.li.pk:hover { background: var(--st-secondary-background-color, rgba(128,128,128,.1)); }
.li.fd { opacity: .6; }
.sw { display: inline-block; width: 18px; border-top: 2px solid; }
.sw.thick { border-top-width: 4px; } .sw.dotted { border-top-style: dotted; }
.sw.faded { opacity: .5; }
.lt { display: inline-block; width: 18px; border-top: 2px dashed #8c8c8c; }
.sq { display: inline-block; width: 11px; height: 11px; border-radius: 2px; }
.lc { display: grid; grid-template-columns: 54px minmax(0, 1fr); grid-template-rows: 1fr 18px;
  grid-template-areas: "ya pa" ". xa"; }
.ya { grid-area: ya; position: relative; font-size: 11px; opacity: .75; }
.ya span { position: absolute; right: 6px; transform: translateY(-50%); white-space: nowrap; }
.pa { grid-area: pa; position: relative; border-left: 1px solid rgba(128,128,128,.35);
  border-bottom: 1px solid rgba(128,128,128,.35); }
.pa svg { position: absolute; inset: 0; width: 100%; height: 100%; overflow: visible; }
.pt { position: absolute; width: 8px; height: 8px; margin: -4px 0 0 -4px; border-radius: 50%;
  border: 2px solid; box-sizing: border-box; pointer-events: none; }
.pt.sm { width: 5px; height: 5px; margin: -2.5px 0 0 -2.5px; border-width: 1px; }
.hv { position: absolute; top: 0; bottom: 0; }
.hv:hover { background: rgba(128,128,128,.12); }
.xa { grid-area: xa; position: relative; font-size: 11px; opacity: .75; }
.xa span { position: absolute; top: 2px; transform: translateX(-50%); white-space: nowrap; }
.xa.fx { display: flex; } .xa.fx span { position: static; transform: none; display: flex;
  justify-content: center; }
.cs { display: flex; align-items: flex-end; gap: 3px; padding: 0 3px; }
.cl { flex: 1 1 0; display: flex; flex-direction: column-reverse; height: 100%; min-width: 2px; }
.cl i { display: block; width: 100%; }
.cl i.pk:hover { filter: brightness(1.12); }
.gl { position: absolute; left: 0; right: 0; border-top: 1px solid rgba(128,128,128,.22); }
.hm { overflow-x: auto; }
.hm table { border-collapse: separate; border-spacing: 2px; font-size: 11.5px; width: 100%;
  table-layout: auto; }
.hm th { font-weight: 600; padding: 1px 4px; white-space: nowrap; text-align: center; }
.hm th.rl { text-align: right; max-width: 220px; overflow: hidden; text-overflow: ellipsis;
  font-weight: 400; }
.hm th.rl.ch { font-weight: 700; } .hm th.rl.ch::after { content: " \\25CF"; }
.hm th.rl.fd { opacity: .6; }
.hm td { text-align: center; padding: 2px 3px; border-radius: 2px; white-space: nowrap; }
.hm td.dk { color: #fff; }
.hm td.e { background: transparent; }
.hm table.cp td { height: 16px; padding: 0; min-width: 9px; }
.hm table.cp thead th { font-size: 10px; font-weight: 400; padding: 0; }
.two { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; }
.tip { position: fixed; z-index: 1000; pointer-events: none; white-space: pre; font-size: 12px;
  background: var(--st-background-color, #fff); color: var(--st-text-color, #222);
  border: 1px solid rgba(128,128,128,.5); border-radius: 4px; padding: 4px 7px;
  box-shadow: 0 2px 8px rgba(0,0,0,.18); display: none; max-width: 420px; }
@container (max-width: 760px) { .two { grid-template-columns: minmax(0, 1fr); } }
@container (max-width: 560px) {
  .br { grid-template-columns: minmax(70px, 38%) minmax(0, 1fr); }
  .bz { width: 45%; }
  .hm td { font-size: 10.5px; padding: 1px; }
  /* a wide heat table (a year of months) on a phone: shades only, the numbers in the hover */
  .hm table.wd td { font-size: 0; height: 16px; min-width: 12px; padding: 0; }
  .hm table.wd thead th { writing-mode: vertical-rl; transform: rotate(180deg); font-size: 10px;
    font-weight: 400; padding: 2px 0; text-align: left; }
  .lc { grid-template-columns: 44px minmax(0, 1fr); }
}
@media print { .tip { display: none !important; } }
"""

JS = """
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  let root = parentElement.querySelector('.fg');
  let tip = parentElement.querySelector('.tip');
  if (!root) {
    root = document.createElement('div');
    root.className = 'fg';
    tip = document.createElement('div');
    tip.className = 'tip';
    parentElement.appendChild(root);
    parentElement.appendChild(tip);
  }
  root.innerHTML = data;
  root.querySelectorAll('[data-pick]').forEach((el) => {
    const send = (e) => { e.preventDefault(); e.stopPropagation(); setTriggerValue('pick', el.dataset.pick); };
    el.onclick = send;
    el.onkeydown = (e) => { if (e.key === 'Enter' || e.key === ' ') send(e); };
  });
  root.onmousemove = (e) => {
    const el = e.target.closest('[data-tip]');
    if (!el || !root.contains(el)) { tip.style.display = 'none'; return; }
    tip.textContent = el.dataset.tip;
    tip.style.display = 'block';
    const w = tip.offsetWidth, h = tip.offsetHeight;
    const x = Math.min(e.clientX + 14, window.innerWidth - w - 6);
    const y = e.clientY + 16 + h > window.innerHeight ? e.clientY - h - 10 : e.clientY + 16;
    tip.style.left = Math.max(4, x) + 'px';
    tip.style.top = Math.max(4, y) + 'px';
  };
  root.onmouseleave = () => { tip.style.display = 'none'; };
}
"""

_renderer: list[Any] = []


def picked(key: str) -> str | None:
    """The value the component under ``key`` sent with its last click (None without one)."""
    import streamlit as st

    state = st.session_state.get(key)
    value = getattr(state, "pick", None)
    if value is None and isinstance(state, dict):
        value = state.get("pick")
    return None if value is None else str(value)


def draw(markup: str, key: str, on_pick: Callable[[str], None] | None = None) -> str | None:
    """Mount the chart(s) in ``markup``; a click calls ``on_pick`` with the clicked element's
    ``data-pick`` before the rerun, and the returned value is that pick (for one run)."""
    import streamlit as st

    if not _renderer:
        _renderer.append(st.components.v2.component("html_chart", css=CSS, js=JS))

    def callback() -> None:
        value = picked(key)
        if on_pick is not None and value is not None:
            on_pick(value)

    result = _renderer[0](data=markup, key=key, on_pick_change=callback)
    value = getattr(result, "pick", None)
    return None if value is None else str(value)
