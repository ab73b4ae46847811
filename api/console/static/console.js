// The planners' console: a login form, then GraphiQL with the login token on every request.
// The token lives in sessionStorage (gone when the tab closes), is refreshed before it expires,
// and a 401 from the server brings the form back with the server's message.
(function () {
  "use strict";

  const SESSION_KEY = "crm-engine:session";
  const REFRESH_MARGIN_MS = 2 * 60 * 1000; // refresh this long before expiry
  const RETRY_MS = 15 * 1000; // after a network failure while refreshing
  const ENDED = "Your session has ended; log in again.";
  const LOGGED_OUT = "logged-out"; // the URL fragment a logout reloads the page with

  const config = JSON.parse(document.getElementById("console-config").textContent);
  const tabs = JSON.parse(document.getElementById("operations").textContent);
  const loginView = document.getElementById("login");
  const form = document.getElementById("login-form");
  const message = document.getElementById("login-message");
  const appView = document.getElementById("app");
  const who = document.getElementById("who");
  const mount = document.getElementById("console");

  let root = null;
  let refreshTimer = null;
  let refreshing = null;

  // --- the stored session: {token, username, deadline (this browser's clock, ms)} -------------

  function stored() {
    try {
      const session = JSON.parse(window.sessionStorage.getItem(SESSION_KEY));
      return session && session.token && session.deadline > Date.now() ? session : null;
    } catch (_) {
      return null;
    }
  }

  // The token's lifetime from its own claims, counted on this browser's clock: a skewed clock
  // must not make the console refresh too late.
  function deadlineOf(body) {
    try {
      const claims = JSON.parse(atob(body.token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      return Date.now() + (claims.exp - claims.iat) * 1000;
    } catch (_) {
      return Date.parse(body.expiresAt);
    }
  }

  function keep(body, username) {
    const session = { token: body.token, username: username, deadline: deadlineOf(body) };
    window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    scheduleRefresh(session);
    return session;
  }

  function scheduleRefresh(session) {
    window.clearTimeout(refreshTimer);
    const left = session.deadline - Date.now();
    const delay = left > 2 * REFRESH_MARGIN_MS ? left - REFRESH_MARGIN_MS : left / 2;
    refreshTimer = window.setTimeout(refresh, Math.max(1000, delay));
  }

  function serverMessage(body, fallback) {
    return (body && body.errors && body.errors[0] && body.errors[0].message) || fallback;
  }

  async function post(url, init) {
    const response = await window.fetch(url, Object.assign({ method: "POST" }, init));
    const body = await response.json().catch(() => null);
    return { response: response, body: body };
  }

  // --- logging in, refreshing, ending ------------------------------------------------------------

  async function login(username, password) {
    const { response, body } = await post(config.login, {
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ username: username, password: password }),
    });
    if (!response.ok) {
      throw new Error(serverMessage(body, "Login failed (HTTP " + response.status + ")."));
    }
    return keep(body, username);
  }

  // One refresh at a time; resolves to the new session, or null once the session has ended.
  function refresh() {
    if (refreshing) return refreshing;
    const session = stored();
    if (!session) {
      endSession(ENDED);
      return Promise.resolve(null);
    }
    refreshing = post(config.refresh, { headers: { Authorization: "Bearer " + session.token, Accept: "application/json" } })
      .then(({ response, body }) => {
        if (response.ok) return keep(body, session.username);
        if (response.status === 401) {
          endSession(serverMessage(body, ENDED));
          return null;
        }
        refreshTimer = window.setTimeout(refresh, RETRY_MS); // 429 or a server error: keep the token, retry
        return session;
      })
      .catch(() => {
        refreshTimer = window.setTimeout(refresh, RETRY_MS);
        return session;
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  }

  async function freshSession() {
    const session = stored();
    if (session && session.deadline - Date.now() > REFRESH_MARGIN_MS / 2) return session;
    return session ? refresh() : null;
  }

  function endSession(text) {
    window.clearTimeout(refreshTimer);
    window.sessionStorage.removeItem(SESSION_KEY);
    showLogin(text);
  }

  function logOut() {
    window.clearTimeout(refreshTimer);
    if (root) {
      root.unmount();
      root = null;
    }
    // Everything this console kept in the tab goes: the token now, GraphiQL's edited tabs now
    // and again once the page has reloaded (GraphiQL's debounced writes may land after this).
    window.sessionStorage.clear();
    window.location.hash = LOGGED_OUT;
    window.location.reload();
  }

  // --- GraphiQL with the token ------------------------------------------------------------------

  async function authorisedFetch(url, init) {
    const session = await freshSession();
    if (!session) {
      endSession(ENDED);
      throw new Error(ENDED);
    }
    const headers = new Headers((init && init.headers) || {});
    headers.set("Authorization", "Bearer " + session.token);
    const response = await window.fetch(url, Object.assign({}, init, { headers: headers }));
    if (response.status === 401) {
      const body = await response.clone().json().catch(() => null);
      window.setTimeout(() => endSession(serverMessage(body, ENDED)), 0);
    }
    return response;
  }

  function showConsole(session) {
    loginView.hidden = true;
    appView.hidden = false;
    who.textContent = session.username ? "Logged in as " + session.username : "";
    if (root) return;
    const fetcher = GraphiQL.createFetcher({
      url: config.endpoint,
      headers: { Accept: "application/json" },
      fetch: authorisedFetch,
    });
    root = ReactDOM.createRoot(mount);
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultEditorToolsVisibility: true,
        plugins: [GraphiQLPluginExplorer.explorerPlugin()],
        defaultTabs: tabs,
        storage: window.sessionStorage,
      })
    );
  }

  function showLogin(text) {
    if (root) {
      root.unmount();
      root = null;
    }
    appView.hidden = true;
    loginView.hidden = false;
    message.textContent = text || "";
    form.elements.password.value = "";
    form.elements.username.focus();
  }

  // --- wiring -----------------------------------------------------------------------------------

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    message.textContent = "";
    try {
      showConsole(await login(form.elements.username.value.trim(), form.elements.password.value));
    } catch (error) {
      message.textContent = error.message || String(error);
      form.elements.password.value = "";
    } finally {
      button.disabled = false;
    }
  });

  document.getElementById("logout").addEventListener("click", logOut);

  // A timer may sleep with a background tab: check again when the planner comes back.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && root) freshSession();
  });

  // On opening after a logout: nothing of the last session survives, whatever was written late.
  const loggedOut = window.location.hash === "#" + LOGGED_OUT;
  if (loggedOut) {
    window.sessionStorage.clear();
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    showLogin("You have logged out.");
  } else if (stored()) {
    // On opening: a token kept in this tab is checked (and renewed) by the server before use.
    refresh().then((session) => {
      if (session) showConsole(session);
    });
  } else {
    window.sessionStorage.removeItem(SESSION_KEY);
    showLogin("");
  }
})();
