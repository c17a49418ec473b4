"""What Streamlit's defaults leave short of WCAG 2.2 AA, put right once for every page.

- Text contrast lives in the theme (.streamlit/config.toml), not here: Streamlit fades
  captions to 60% of the text colour, so the text colour is near-black.
- Target size (2.5.8): the day and month fields of a date are 18 px wide, and help icons 16 px;
  they get 24 px targets.
- Text cut short (1.4.10 reflow): tile labels and changes, link and button labels end in "..."
  when their column is narrow (a projector, a phone); they wrap instead.
- Keyboard (2.1.1, 2.4.3): every Plotly chart brings eight toolbar buttons, about a hundred tab
  stops on a page of charts. Each chart is one tab stop instead, named after its title; its
  toolbar joins the tab order only while focus is inside the chart.
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
</style>
"""

# Runs in the page itself (components v2 are not sandboxed in an iframe), so it can reach
# the charts Streamlit draws. Charts come and go with every rerun: a MutationObserver keeps up.
CHART_KEYBOARD_JS = """
export default function () {
  if (window.spChartKeyboard) return;
  window.spChartKeyboard = true;
  const CONTROLS = 'button, a[href], input, select, [tabindex]';
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
        '. Its summary and data table follow it; press Tab for its toolbar.';
      if (holder.getAttribute('aria-label') !== name) holder.setAttribute('aria-label', name);
      const inside = holder.contains(document.activeElement);
      holder.querySelectorAll(CONTROLS).forEach((control) => {
        if (control === holder) return;
        const wanted = inside ? '0' : '-1';
        if (control.getAttribute('tabindex') !== wanted) control.setAttribute('tabindex', wanted);
      });
    });
  };
  new MutationObserver(tidy).observe(document.body, { childList: true, subtree: true });
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
