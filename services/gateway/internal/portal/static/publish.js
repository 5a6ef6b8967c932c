// The agent's dataset page: a file is sent in chunks, as data.gouv.fr's
// front end does (fine-uploader's fields: uuid, filename, partindex,
// partbyteoffset, totalfilesize, totalparts, chunksize, then a last call
// without file), with a progress bar; then the files' analysis states and
// the validation report are shown, read through the session's relay.
(function () {
  'use strict';
  var api = '/espace/api';
  var form = document.getElementById('upload');
  if (!form) { return; }
  var csrf = form.getAttribute('data-csrf');
  var dataset = form.getAttribute('data-dataset');
  // data.gouv.fr's front end sends 2 MB chunks.
  var chunkSize = 2 * 1000 * 1000;

  function getJSON(url) {
    return fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) {
        if (!r.ok) { var err = new Error((body && body.message) || ('HTTP ' + r.status)); err.status = r.status; throw err; }
        return body;
      });
    });
  }
  function send(method, url, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      x.open(method, url);
      x.setRequestHeader('X-CSRF-Token', csrf);
      x.setRequestHeader('Accept', 'application/json');
      if (onProgress) { x.upload.onprogress = function (e) { if (e.lengthComputable) { onProgress(e.loaded); } }; }
      x.onload = function () {
        var resp = null;
        try { resp = JSON.parse(x.responseText); } catch (e) { /* not JSON */ }
        if (x.status >= 200 && x.status < 300) { resolve(resp); } else { reject(new Error((resp && resp.message) || ('HTTP ' + x.status))); }
      };
      x.onerror = function () { reject(new Error('connexion interrompue')); };
      if (typeof body === 'string') { x.setRequestHeader('Content-Type', 'application/json'); }
      x.send(body);
    });
  }
  function uuid4() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // The schemas a file can be validated against.
  var schemaSelect = document.getElementById('schema');
  getJSON(api + '/1/datasets/schemas/').then(function (list) {
    (Array.isArray(list) ? list : (list && list.data) || []).forEach(function (s) {
      var o = document.createElement('option');
      o.value = s.name;
      o.textContent = (s.title || s.name) + ' (' + s.name + ')';
      schemaSelect.appendChild(o);
    });
  }).catch(function () { /* no preview service: no schema to offer */ });

  var progressBox = form.querySelector('.upload-progress');
  var bar = document.getElementById('progress');
  var statusLine = form.querySelector('.upload-status');
  var nf = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var file = document.getElementById('file').files[0];
    if (!file) { return; }
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    progressBox.hidden = false;
    bar.value = 0;
    statusLine.textContent = 'Envoi de « ' + file.name + ' »…';
    var url = api + '/1/datasets/' + dataset + '/upload/';
    var total = Math.max(1, Math.ceil(file.size / chunkSize));
    var id = uuid4();
    function show(sent) {
      var pct = file.size ? Math.min(100, 100 * sent / file.size) : 100;
      bar.value = pct;
      statusLine.textContent = 'Envoi de « ' + file.name + ' » : ' + nf.format(pct) + ' %';
    }
    var done;
    if (total === 1) {
      var whole = new FormData();
      whole.append('file', file, file.name);
      done = send('POST', url, whole, show);
    } else {
      done = Array.apply(null, Array(total)).reduce(function (prev, _, i) {
        return prev.then(function () {
          var start = i * chunkSize;
          var part = file.slice(start, Math.min(file.size, start + chunkSize));
          var fd = new FormData();
          fd.append('uuid', id);
          fd.append('filename', file.name);
          fd.append('partindex', String(i));
          fd.append('partbyteoffset', String(start));
          fd.append('totalfilesize', String(file.size));
          fd.append('totalparts', String(total));
          fd.append('chunksize', String(part.size));
          fd.append('file', part, file.name);
          return send('POST', url, fd, function (loaded) { show(start + loaded); });
        });
      }, Promise.resolve()).then(function () {
        var last = new FormData();
        last.append('uuid', id);
        last.append('filename', file.name);
        last.append('totalparts', String(total));
        last.append('totalfilesize', String(file.size));
        return send('POST', url, last);
      });
    }
    done.then(function (res) {
      show(file.size);
      var schema = schemaSelect.value;
      if (!schema || !res || !res.id) { return res; }
      statusLine.textContent = 'Fichier reçu. Schéma ' + schema + ' associé…';
      return send('PUT', api + '/1/datasets/' + dataset + '/resources/' + res.id + '/',
        JSON.stringify({ title: res.title, url: res.url, filetype: res.filetype, schema: { name: schema } })).then(function () { return res; });
    }).then(function (res) {
      statusLine.textContent = 'Fichier reçu : analyse en cours…';
      location.assign(location.pathname + '?apercu=' + encodeURIComponent(res.id) + '#apercu');
    }).catch(function (e) {
      statusLine.textContent = 'Le fichier n\u2019a pas été envoyé : ' + e.message;
      button.disabled = false;
    });
  });

  // Each file's analysis state; a pending one is asked again until done,
  // then the page reloads to show its preview.
  var states = { pending: 'en cours', done: 'terminée', failed: 'échec' };
  var previewed = document.querySelector('.preview[data-rid]');
  document.querySelectorAll('[data-analysis]').forEach(function (dd) {
    var rid = dd.getAttribute('data-analysis');
    var tries = 0, waited = false;
    function again() { waited = true; if (tries++ < 120) { setTimeout(poll, 1000); } }
    function poll() {
      getJSON(api + '/2/datasets/resources/' + rid + '/preview/').then(function (st) {
        dd.textContent = (states[st.state] || st.state) + (st.state === 'failed' && st.error ? ' (' + st.error + ')' : '');
        if (st.state === 'pending') { again(); return; }
        if (waited && previewed && previewed.getAttribute('data-rid') === rid) { location.reload(); }
      }).catch(function (e) {
        if (e.status === 404) { dd.textContent = 'en attente'; again(); return; }
        dd.textContent = 'indisponible';
      });
    }
    poll();
  });

  // The validation report of the previewed file; when it declares a schema
  // and its report is not written yet, asked again until it is.
  var report = document.querySelector('[data-report]');
  if (report) {
    var reportTries = 0;
    (function loadReport() {
      getJSON(api + '/2/datasets/resources/' + report.getAttribute('data-report') + '/preview/validation/').then(function (rep) {
        report.textContent = '';
        var h = document.createElement('h3');
        h.textContent = 'Rapport de validation';
        var p = document.createElement('p');
        var n = (rep.stats && rep.stats.errors) || 0;
        p.className = 'badge ' + (rep.valid ? 'valid' : 'invalid');
        p.textContent = rep.valid ? 'Conforme au schéma' : 'Non conforme : ' + nf.format(n) + ' erreur' + (n > 1 ? 's' : '');
        report.appendChild(h);
        report.appendChild(p);
        var errs = (rep.errors || []).slice(0, 20);
        if (errs.length) {
          var ul = document.createElement('ul');
          ul.className = 'report';
          errs.forEach(function (e) {
            var li = document.createElement('li');
            li.textContent = (e.rowNumber ? 'Ligne ' + e.rowNumber + (e.fieldName ? ', colonne « ' + e.fieldName + ' »' : '') + ' : ' : '') + e.message;
            ul.appendChild(li);
          });
          report.appendChild(ul);
        }
      }).catch(function (e) {
        var waiting = e.status === 404 && report.getAttribute('data-schema') && reportTries++ < 120;
        var p = document.createElement('p');
        if (waiting) {
          p.textContent = 'Validation contre le schéma ' + report.getAttribute('data-schema') + ' en cours…';
          setTimeout(loadReport, 1000);
        } else {
          p.textContent = e.status === 404 ? 'Pas de rapport de validation : aucun schéma n\u2019est associé à ce fichier.' : 'Le rapport de validation est indisponible pour le moment.';
        }
        report.textContent = '';
        report.appendChild(p);
      });
    })();
  }
})();
