// lakecat's GraphiQL bootstrap: a served file, not an inline script, so the page's
// Content-Security-Policy can allow scripts from 'self' only. The token lives in this tab's
// sessionStorage and goes out as `Authorization: Bearer …` on every request.
(function () {
  'use strict';
  var KEY = 'lakecat.token';
  // Relative to the page, so a path prefix in front of lakecat (an API Gateway stage) works.
  var graphqlUrl = new URL('graphql', document.baseURI).href;
  var loginUrl = new URL('auth/login', document.baseURI).href;
  var status = document.getElementById('auth-status');
  var loginForm = document.getElementById('login-form');
  var tokenForm = document.getElementById('token-form');
  var signOut = document.getElementById('sign-out');
  var token = sessionStorage.getItem(KEY) || '';

  function show(message, isError) {
    status.textContent = message;
    status.className = isError ? 'error' : '';
  }

  function setToken(t, who) {
    token = t;
    if (t) {
      sessionStorage.setItem(KEY, t);
    } else {
      sessionStorage.removeItem(KEY);
    }
    signOut.hidden = !t;
    show(t ? 'signed in' + (who ? ' as ' + who : '') : 'not signed in', false);
  }

  loginForm.hidden = document.body.dataset.localLogin !== 'true';
  loginForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = JSON.stringify({
      username: loginForm.elements.username.value,
      password: loginForm.elements.password.value
    });
    fetch(loginUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body })
      .then(function (r) {
        return r.json().then(function (json) { return { ok: r.ok, json: json }; });
      })
      .then(function (res) {
        if (res.ok && res.json.token) {
          loginForm.elements.password.value = '';
          setToken(res.json.token, loginForm.elements.username.value);
        } else {
          var e = res.json.errors && res.json.errors[0];
          show('sign-in failed: ' + ((e && e.message) || 'unexpected answer'), true);
        }
      })
      .catch(function (e) { show('sign-in failed: ' + e.message, true); });
  });
  tokenForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var t = tokenForm.elements.token.value.trim().replace(/^Bearer\s+/i, '');
    tokenForm.elements.token.value = '';
    setToken(t, '');
  });
  signOut.addEventListener('click', function () { setToken('', ''); });
  setToken(token, '');

  function fetcher(params) {
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    return fetch(graphqlUrl, { method: 'POST', headers: headers, body: JSON.stringify(params) })
      .then(function (r) { return r.json(); });
  }

  var root = document.getElementById('graphiql');
  root.textContent = '';
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, { fetcher: fetcher }));
})();
