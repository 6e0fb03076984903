// Keeps charts the right size and the screen clean when panels are swapped (views, filters):
// - Vega charts sized to their container measure it only when drawn and on window resize; a chart
//   drawn while its panel was being attached measures 0 px. Whenever the page changes, a chart
//   whose drawing is not as wide as its box gets one window resize event (once per box width).
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
    const tried = new WeakMap(); // svg -> box width a resize was already sent for
    let timer = null;
    const check = () => {
      timer = null;
      let stale = false;
      document.querySelectorAll(".xc-chart").forEach((chart) => {
        const svg = chart.querySelector("svg");
        const box = Math.round(chart.clientWidth);
        if (!svg || box === 0) {
          return;
        }
        const drawn = Math.round(parseFloat(svg.getAttribute("width") || "0"));
        if (Math.abs(drawn - box) > 2 && tried.get(svg) !== box) {
          tried.set(svg, box);
          stale = true;
        }
      });
      if (stale) {
        window.dispatchEvent(new Event("resize"));
      }
    };
    const soon = () => {
      if (timer === null) {
        timer = setTimeout(check, 120);
      }
    };
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.removedNodes) {
          if (node.nodeType === 1 && (node.matches(".xc-chart") || node.querySelector(".xc-chart"))) {
            hideTooltips();
          }
        }
      }
      soon();
    }).observe(document.body, { childList: true, subtree: true });
    new ResizeObserver(soon).observe(document.body);
    window.addEventListener("beforeprint", () => {
      hideTooltips();
      window.dispatchEvent(new Event("resize"));
    });
    soon();
  },

  render({ el }) {
    el.style.display = "none";
  },
};
