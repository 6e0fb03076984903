// The browser's address bar follows the app's state, and Back/Forward move the app, with no page load.
// Python sets `query` (a leader's move): pushState. A `replace` message: replaceState (a link put
// right, the first entry seeded). popstate (Back/Forward): `query` set from the entry.
// The access token never goes into a URL this writes (the login cookie carries the session).

function queryOf(search) {
  const params = new URLSearchParams(search);
  params.delete("token");
  return params.toString();
}

function urlFor(query) {
  return location.pathname + (query ? "?" + query : "") + location.hash;
}

export default {
  initialize({ model }) {
    const seeded = model.get("query");
    history.replaceState({ xcQuery: seeded }, "", urlFor(seeded));

    const onPop = (event) => {
      const state = event.state;
      const query = state && typeof state.xcQuery === "string" ? state.xcQuery : queryOf(location.search);
      model.set("query", query);
      model.save_changes();
    };
    window.addEventListener("popstate", onPop);

    model.on("change:query", () => {
      const query = model.get("query");
      if (history.state && history.state.xcQuery === query) {
        return; // Back/Forward brought us here, or a replace message did
      }
      history.pushState({ xcQuery: query }, "", urlFor(query));
    });

    model.on("msg:custom", (msg) => {
      if (msg && typeof msg.replace === "string") {
        history.replaceState({ xcQuery: msg.replace }, "", urlFor(msg.replace));
      }
    });
    return () => window.removeEventListener("popstate", onPop);
  },

  render({ el }) {
    el.style.display = "none";
  },
};
