"""What Streamlit's defaults leave short of WCAG 2.2 AA, put right once for every page.

- Text contrast lives in the theme (.streamlit/config.toml), not here: Streamlit fades
  captions to 60% of the text colour, so the text colour is near-black.
- Target size (2.5.8): the day and month fields of a date are 18 px wide, and help icons 16 px;
  they get 24 px targets.
- Text cut short (1.4.10 reflow): tile labels and changes, link and button labels end in "..."
  when their column is narrow (a projector, a phone); they wrap instead.
- Keyboard (2.1.1, 2.4.3, 2.4.7): every Plotly chart brings eight toolbar buttons, about a
  hundred tab stops on a page of charts, hidden until the mouse is over the chart. Each chart
  is one tab stop instead, named after its title. Enter on it moves into its toolbar, which
  then shows; Tab moves along the toolbar, Escape goes back to the chart, and leaving the
  chart takes the toolbar out of the tab order again.
"""

from __future__ import annotations

import streamlit as st

HOUSE_STYLE = """
<style>
  [data-testid="stMetricLabel"] *, [data-testid="stMetricDelta"] *,
  [data-testid="stPageLink"] *, [data-testid^="stBaseButton"] * {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  }
  [data-testid="stTooltipHoverTarget"] { min-width: 24px; min-height: 24px; }
  [role="spinbutton"] { min-width: 24px; min-height: 24px; text-align: center; }
  [data-testid="stElementContainer"][data-chart-keyboard]:focus-visible {
    outline: 3px solid #ffeb3b; box-shadow: 0 0 0 5px #212b32;
  }
  [data-chart-keyboard]:focus-within .modebar-group,
  [data-chart-keyboard]:focus-within [data-testid="stElementToolbar"] { opacity: 1 !important; }
</style>
"""

# Runs in the page itself (components v2 are not sandboxed in an iframe), so it can reach
# the charts Streamlit draws. Charts come and go with every rerun: a MutationObserver keeps up.
CHART_KEYBOARD_JS = """
export default function () {
  if (window.spChartKeyboard) return;
  window.spChartKeyboard = true;
  const CONTROLS = 'button, a[href], input, select, [tabindex]';
  const controls = (holder) =>
    Array.from(holder.querySelectorAll(CONTROLS)).filter((control) => control !== holder);
  const tidy = () => {
    document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((chart) => {
      const holder = chart.closest('[data-testid="stElementContainer"]') || chart;
      if (!holder.hasAttribute('data-chart-keyboard')) {
        holder.setAttribute('data-chart-keyboard', '');
        holder.setAttribute('tabindex', '0');
        holder.setAttribute('role', 'group');
      }
      const title = chart.querySelector('.gtitle');
      const name = 'Chart: ' + (title ? title.textContent : 'no title') +
        '. Press Enter for its toolbar. Its summary and data table follow it.';
      if (holder.getAttribute('aria-label') !== name) holder.setAttribute('aria-label', name);
      // In the tab order only while focus is on one of the chart's own controls.
      const active = document.activeElement;
      const wanted = holder.contains(active) && active !== holder ? '0' : '-1';
      controls(holder).forEach((control) => {
        if (control.getAttribute('tabindex') !== wanted) control.setAttribute('tabindex', wanted);
      });
    });
  };
  document.addEventListener('keydown', (event) => {
    const holder = event.target.closest && event.target.closest('[data-chart-keyboard]');
    if (!holder) return;
    if (event.key === 'Enter' && event.target === holder) {
      const first = controls(holder)[0];
      if (first) {
        event.preventDefault();
        controls(holder).forEach((control) => control.setAttribute('tabindex', '0'));
        first.focus();
      }
    } else if (event.key === 'Escape' && event.target !== holder) {
      event.preventDefault();
      holder.focus();
    }
  });
  // Drawing a page of charts makes thousands of changes: tidy once a frame, not for each.
  let queued = false;
  const soon = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; tidy(); });
  };
  new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  document.addEventListener('focusin', tidy);
  document.addEventListener('focusout', () => setTimeout(tidy, 0));
  tidy();
}
"""

_chart_keyboard = st.components.v2.component("sp_chart_keyboard", js=CHART_KEYBOARD_JS)


def apply() -> None:
    """The house style and the chart keyboard behaviour, for the page being drawn."""
    st.html(HOUSE_STYLE)
    with st.sidebar:
        _chart_keyboard(key="sp_chart_keyboard")
