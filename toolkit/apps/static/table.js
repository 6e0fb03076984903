// A table that sorts on its headers and pages, entirely in the browser (no kernel round trip).
// Cells are set with textContent: ledger text is shown as the text it is, never parsed as HTML.
// A column may name colours for its values (`dots`): a coloured dot is drawn before the text.

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined || a === "") return 1;
  if (b === null || b === undefined || b === "") return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), "zh-CN");
}

function fill(template, values) {
  const shown = (v) => (typeof v === "number" ? v.toLocaleString("en-US") : String(v ?? ""));
  return template.replace(/\{(\w+)\}/g, (_, key) => shown(values[key]));
}

export default {
  render({ model, el }) {
    el.classList.add("xc-table-widget");
    let sortColumn = -1;
    let ascending = true;
    let page = 0;

    const draw = () => {
      const columns = model.get("columns");
      const rows = model.get("rows");
      const keys = model.get("sort_keys");
      const texts = model.get("texts");
      const size = model.get("page_size");
      const order = rows.map((_, i) => i);
      if (sortColumn >= 0) {
        order.sort((i, j) => {
          const c = compare(keys[i][sortColumn], keys[j][sortColumn]);
          return (ascending ? c : -c) || i - j;
        });
      }
      const pages = Math.max(1, Math.ceil(rows.length / size));
      page = Math.min(page, pages - 1);
      const shown = order.slice(page * size, page * size + size);

      el.replaceChildren();
      const scroller = document.createElement("div");
      scroller.className = "xc-table-scroll";
      const table = document.createElement("table");
      table.className = "xc-table " + model.get("css_class");
      const head = table.createTHead().insertRow();
      columns.forEach((column, c) => {
        const th = document.createElement("th");
        th.textContent = column.label;
        th.className = column.numeric ? "xc-num" : "";
        th.title = texts.sort;
        th.setAttribute("aria-sort", c === sortColumn ? (ascending ? "ascending" : "descending") : "none");
        th.addEventListener("click", () => {
          ascending = c === sortColumn ? !ascending : true;
          sortColumn = c;
          page = 0;
          draw();
        });
        head.appendChild(th);
      });
      const body = table.createTBody();
      for (const i of shown) {
        const tr = body.insertRow();
        columns.forEach((column, c) => {
          const td = tr.insertCell();
          if (column.numeric) td.className = "xc-num";
          const dots = column.dots;
          const key = keys[i][c];
          if (dots && Object.prototype.hasOwnProperty.call(dots, key)) {
            const dot = document.createElement("span");
            dot.className = "xc-dot";
            dot.style.color = dots[key];
            dot.textContent = "● ";
            td.appendChild(dot);
          }
          td.appendChild(document.createTextNode(rows[i][c]));
        });
      }
      scroller.appendChild(table);
      el.appendChild(scroller);

      const foot = document.createElement("div");
      foot.className = "xc-table-foot";
      const info = document.createElement("span");
      info.className = "xc-table-info";
      info.textContent = rows.length
        ? fill(texts.page, { first: page * size + 1, last: page * size + shown.length, total: rows.length })
        : texts.empty;
      foot.appendChild(info);
      if (pages > 1) {
        for (const [label, step] of [[texts.prev, -1], [texts.next, 1]]) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = step < 0 ? "xc-page-prev" : "xc-page-next";
          button.textContent = label;
          button.disabled = step < 0 ? page === 0 : page >= pages - 1;
          button.addEventListener("click", () => {
            page += step;
            draw();
          });
          foot.appendChild(button);
        }
      }
      el.appendChild(foot);
    };

    draw();
    model.on("change:rows", () => {
      page = 0;
      draw();
    });
    model.on("change:columns", draw);
  },
};
