// Keeps charts the right size and the screen clean when panels are swapped (views, filters):
// - Vega charts sized to their container measure it only when drawn and on window resize; a chart
//   drawn while its panel was being attached measures 0 px. When a chart's box changes width,
//   tell Vega with a (debounced) window resize event.
// - A Vega tooltip shown when its chart was removed stays on screen: hide it when charts go away.
// - Before printing, charts re-measure for the paper's width.

function hideTooltips() {
  document.querySelectorAll("#vg-tooltip-element").forEach((el) => el.classList.remove("visible"));
}

export default {
  initialize() {
    if (window.__xcLayout) {
      return;
    }
    window.__xcLayout = true;
    const widths = new WeakMap();
    let pending = null;
    const resize = () => {
      if (pending) {
        return;
      }
      pending = requestAnimationFrame(() => {
        pending = null;
        window.dispatchEvent(new Event("resize"));
      });
    };
    const sizes = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const width = Math.round(entry.contentRect.width);
        if (widths.get(entry.target) !== width) {
          widths.set(entry.target, width);
          resize();
        }
      }
    });
    const watch = (node) => {
      if (node.nodeType !== 1) {
        return;
      }
      const charts = node.matches(".xc-chart") ? [node] : node.querySelectorAll(".xc-chart");
      charts.forEach((chart) => sizes.observe(chart));
    };
    new MutationObserver((records) => {
      for (const record of records) {
        record.addedNodes.forEach(watch);
        for (const node of record.removedNodes) {
          if (node.nodeType === 1 && (node.matches(".xc-chart") || node.querySelector(".xc-chart"))) {
            hideTooltips();
          }
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
    watch(document.body);
    window.addEventListener("beforeprint", () => {
      hideTooltips();
      window.dispatchEvent(new Event("resize"));
    });
  },

  render({ el }) {
    el.style.display = "none";
  },
};
