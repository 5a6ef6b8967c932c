// Previews of the dataset page, built from the public APIs: the
// validation badges (the TableSchema report), a table over the tabular API
// (sort, filter, pages), a Leaflet map of the map data (drawn on a plain
// background when no tiles load) and an SVG chart of the chart data.
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { e.textContent = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { e.appendChild(c); } });
    return e;
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) {
        if (!r.ok) { var err = new Error((body && body.message) || ('HTTP ' + r.status)); err.status = r.status; throw err; }
        return body;
      });
    });
  }
  var nf = new Intl.NumberFormat('fr-FR');

  // Validation badges.
  document.querySelectorAll('a[data-validation]').forEach(function (a) {
    getJSON(a.getAttribute('data-validation')).then(function (rep) {
      var state = a.querySelector('.badge-state');
      if (rep.valid) {
        a.classList.add('valid');
        state.textContent = ' : conforme';
      } else {
        a.classList.add('invalid');
        var n = rep.stats && rep.stats.errors;
        state.textContent = ' : non conforme' + (n ? ' (' + nf.format(n) + ' erreurs)' : '');
      }
    }).catch(function () { /* no report yet: the link stays */ });
  });

  var box = document.querySelector('.preview');
  if (!box) { return; }
  var rid = box.getAttribute('data-rid');
  // The agents' pages read through their session's relay (private data).
  var api = box.getAttribute('data-api') || '/api';
  var status = box.querySelector('.preview-status');

  getJSON(api + '/2/datasets/resources/' + rid + '/preview/').then(function (st) {
    if (st.state === 'pending') { status.textContent = 'Ce fichier est en cours d\u2019analyse : l\u2019aperçu sera bientôt disponible.'; return; }
    if (st.state === 'failed') { status.textContent = 'Ce fichier n\u2019a pas pu être analysé' + (st.error ? ' : ' + st.error : '.'); return; }
    if (!st.tabular && !st.map) { status.textContent = 'Pas d\u2019aperçu pour ce format de fichier.'; return; }
    status.textContent = '';
    var profile = st.tabular ? getJSON(api + '/resources/' + rid + '/profile/').then(function (p) { return p.profile || {}; }, function () { return {}; }) : null;
    if (st.tabular) { table(profile); }
    if (st.map) { map(); }
    if (st.tabular) { profile.then(chart); }
  }).catch(function (e) {
    status.textContent = e.status === 404 ? 'Pas d\u2019aperçu pour ce fichier.' : 'L\u2019aperçu est indisponible pour le moment.';
  });

  function table(profile) {
    var state = { page: 1, size: 20, sort: '', dir: 'asc', col: '', val: '' };
    var section = el('section', { class: 'preview-table', 'aria-labelledby': 'h-table' }, [el('h3', { id: 'h-table', text: 'Tableau' })]);
    var colSelect = el('select', { id: 'filter-col', name: 'col' });
    var valInput = el('input', { id: 'filter-val', type: 'search', name: 'val' });
    var form = el('form', { class: 'table-filter', 'aria-label': 'Filtrer le tableau' }, [
      el('div', {}, [el('label', { for: 'filter-col', text: 'Colonne' }), colSelect]),
      el('div', {}, [el('label', { for: 'filter-val', text: 'Contient' }), valInput]),
      el('button', { type: 'submit', text: 'Filtrer' }),
      el('button', { type: 'reset', class: 'secondary', text: 'Effacer le filtre' })
    ]);
    var count = el('p', { class: 'table-count', role: 'status' });
    var tbl = el('table', {}, [el('caption', { class: 'sr-only', text: 'Lignes du fichier' })]);
    var thead = el('thead'), tbody = el('tbody');
    tbl.appendChild(thead); tbl.appendChild(tbody);
    var scroll = el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Tableau des données, défilable' }, [tbl]);
    var prev = el('button', { type: 'button', class: 'secondary', text: 'Page précédente' });
    var next = el('button', { type: 'button', class: 'secondary', text: 'Page suivante' });
    var where = el('span');
    var nav = el('nav', { class: 'table-pager', 'aria-label': 'Pages du tableau' }, [prev, where, next]);
    [form, count, scroll, nav].forEach(function (c) { section.appendChild(c); });
    box.appendChild(section);

    var columns = [];
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      state.col = colSelect.value; state.val = valInput.value.trim(); state.page = 1; load();
    });
    form.addEventListener('reset', function () { state.col = ''; state.val = ''; state.page = 1; setTimeout(load); });
    prev.addEventListener('click', function () { state.page--; load(); });
    next.addEventListener('click', function () { state.page++; load(); });

    function header() {
      thead.textContent = '';
      var tr = el('tr');
      columns.forEach(function (c) {
        var sorted = state.sort === c;
        var th = el('th', { scope: 'col', 'aria-sort': sorted ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none' });
        var b = el('button', { type: 'button', text: c + (sorted ? (state.dir === 'asc' ? ' ▲' : ' ▼') : '') });
        b.addEventListener('click', function () {
          state.dir = sorted && state.dir === 'asc' ? 'desc' : 'asc';
          state.sort = c; state.page = 1; load();
        });
        th.appendChild(b); tr.appendChild(th);
      });
      thead.appendChild(tr);
    }
    function load() {
      var q = ['page=' + state.page, 'page_size=' + state.size];
      if (state.sort) { q.push(encodeURIComponent(state.sort) + '__sort=' + state.dir); }
      if (state.col && state.val) { q.push(encodeURIComponent(state.col) + '__contains=' + encodeURIComponent(state.val)); }
      count.textContent = 'Chargement…';
      getJSON(api + '/resources/' + rid + '/data/?' + q.join('&')).then(function (page) {
        var rows = page.data || [];
        if (!columns.length && rows.length) {
          columns = Object.keys(rows[0]).filter(function (k) { return k !== '__id'; });
          columns.forEach(function (c) { colSelect.appendChild(el('option', { value: c, text: c })); });
        }
        header();
        tbody.textContent = '';
        rows.forEach(function (row) {
          var tr = el('tr');
          columns.forEach(function (c) { tr.appendChild(el('td', { text: row[c] == null ? '' : String(row[c]) })); });
          tbody.appendChild(tr);
        });
        var total = (page.meta && page.meta.total) || 0;
        var last = Math.max(1, Math.ceil(total / state.size));
        count.textContent = nf.format(total) + (total > 1 ? ' lignes' : ' ligne') + (state.val ? ' où « ' + state.col + ' » contient « ' + state.val + ' »' : '');
        where.textContent = 'Page ' + state.page + ' sur ' + nf.format(last);
        prev.disabled = state.page <= 1; next.disabled = state.page >= last;
      }).catch(function (e) { count.textContent = 'Le tableau n\u2019a pas pu être chargé : ' + e.message; });
    }
    profile.then(function (p) {
      columns = p.header || [];
      columns.forEach(function (c) { colSelect.appendChild(el('option', { value: c, text: c })); });
    }).then(load);
  }

  function loadLeaflet() {
    return new Promise(function (ok, ko) {
      if (window.L) { ok(); return; }
      document.head.appendChild(el('link', { rel: 'stylesheet', href: '/static/vendor/leaflet/leaflet.css' }));
      var s = el('script', { src: '/static/vendor/leaflet/leaflet.js' });
      s.onload = ok; s.onerror = ko;
      document.head.appendChild(s);
    });
  }

  function map() {
    var section = el('section', { class: 'preview-map', 'aria-labelledby': 'h-map' }, [el('h3', { id: 'h-map', text: 'Carte' })]);
    var note = el('p', { role: 'status' });
    var div = el('div', { class: 'map', role: 'region', 'aria-label': 'Carte des données' });
    section.appendChild(note); section.appendChild(div);
    box.appendChild(section);
    Promise.all([loadLeaflet(), getJSON(api + '/2/datasets/resources/' + rid + '/preview/map/')]).then(function (r) {
      var data = r[1];
      var tiles = box.getAttribute('data-tiles');
      // Without tiles there is nothing to credit.
      var m = window.L.map(div, { preferCanvas: true, attributionControl: !!tiles });
      if (tiles) { window.L.tileLayer(tiles, { attribution: box.getAttribute('data-credit') || '', maxZoom: 19 }).addTo(m); }
      var layer = window.L.geoJSON(data.data, {
        pointToLayer: function (f, ll) { return window.L.circleMarker(ll, { radius: 4, weight: 1, fillOpacity: 0.7 }); }
      }).addTo(m);
      var b = layer.getBounds();
      if (b.isValid()) { m.fitBounds(b, { maxZoom: 15 }); } else if (data.bbox) { m.fitBounds([[data.bbox[1], data.bbox[0]], [data.bbox[3], data.bbox[2]]]); } else { m.setView([46.6, 2.4], 5); }
      var n = data.features || (data.data && data.data.features ? data.data.features.length : 0);
      note.textContent = nf.format(n) + (n > 1 ? ' objets sur la carte.' : ' objet sur la carte.');
      div.setAttribute('data-features', String(layer.getLayers().length));
    }).catch(function (e) { note.textContent = 'La carte n\u2019a pas pu être chargée : ' + e.message; });
  }

  // chartQuery picks what to chart from the profile: the text column of
  // fewest distinct values (a category), and the sum of the first numeric
  // column that is not a coordinate or a code; else the service's default.
  function chartQuery(p) {
    var cols = p.columns || {}, stats = p.profile || {}, header = p.header || [];
    var group = '', best = Infinity, value = '';
    header.forEach(function (c) {
      var type = cols[c] && cols[c].python_type, n = stats[c] && stats[c].nb_distinct;
      if (type === 'string' && n >= 2 && n <= 50 && n < best) { group = c; best = n; }
      if (!value && (type === 'int' || type === 'float') && !/^(lat|lon|lng|x$|y$|id|code|siret|siren|insee|annee|year)/i.test(c)) { value = c; }
    });
    if (!group) { return ''; }
    var q = '&group_by=' + encodeURIComponent(group);
    if (value) { q += '&value=' + encodeURIComponent(value) + '&aggregate=sum'; }
    return q;
  }

  function chart(profile) {
    getJSON(api + '/2/datasets/resources/' + rid + '/preview/chart/?limit=15' + chartQuery(profile)).then(function (page) {
      var rows = page.data || [];
      if (!rows.length) { return; }
      var keys = Object.keys(rows[0]);
      var valueKey = keys.filter(function (k) { return /__(count|sum|avg|min|max)$/.test(k); })[0];
      var groupKey = keys.filter(function (k) { return k !== valueKey && k !== '__id'; })[0];
      if (!valueKey || !groupKey) { return; }
      var agg = { count: 'Nombre de lignes', sum: 'Somme de', avg: 'Moyenne de', min: 'Minimum de', max: 'Maximum de' };
      var parts = valueKey.split('__'), how = parts.pop();
      var title = (how === 'count' ? agg.count : agg[how] + ' « ' + parts.join('__') + ' »') + ' par ' + groupKey;
      var section = el('section', { class: 'preview-chart', 'aria-labelledby': 'h-chart' }, [el('h3', { id: 'h-chart', text: 'Graphique : ' + title })]);
      var max = Math.max.apply(null, rows.map(function (r) { return Math.abs(Number(r[valueKey]) || 0); })) || 1;
      var ns = 'http://www.w3.org/2000/svg', barH = 22, labelW = 200, w = 640;
      var svg = document.createElementNS(ns, 'svg');
      svg.setAttribute('class', 'chart'); svg.setAttribute('viewBox', '0 0 ' + w + ' ' + (rows.length * barH + 4));
      svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', title + ' (valeurs détaillées dans le tableau qui suit)');
      svg.style.maxWidth = '100%';
      rows.forEach(function (r, i) {
        var v = Number(r[valueKey]) || 0, y = i * barH + 2;
        var label = document.createElementNS(ns, 'text');
        label.setAttribute('x', labelW - 6); label.setAttribute('y', y + 15); label.setAttribute('text-anchor', 'end');
        var name = String(r[groupKey] == null ? '(vide)' : r[groupKey]);
        label.textContent = name.length > 28 ? name.slice(0, 27) + '…' : name;
        var rect = document.createElementNS(ns, 'rect');
        var bw = Math.max(1, (w - labelW - 80) * Math.abs(v) / max);
        rect.setAttribute('x', labelW); rect.setAttribute('y', y + 3); rect.setAttribute('height', barH - 6); rect.setAttribute('width', bw);
        var val = document.createElementNS(ns, 'text');
        val.setAttribute('x', labelW + bw + 4); val.setAttribute('y', y + 15); val.textContent = nf.format(v);
        svg.appendChild(label); svg.appendChild(rect); svg.appendChild(val);
      });
      section.appendChild(svg);
      var details = el('details', {}, [el('summary', { text: 'Valeurs du graphique' })]);
      var t = el('table', {}, [el('thead', {}, [el('tr', {}, [el('th', { scope: 'col', text: groupKey }), el('th', { scope: 'col', text: valueKey })])])]);
      var tb = el('tbody');
      rows.forEach(function (r) { tb.appendChild(el('tr', {}, [el('td', { text: String(r[groupKey]) }), el('td', { text: nf.format(Number(r[valueKey]) || 0) })])); });
      t.appendChild(tb); details.appendChild(t); section.appendChild(details);
      box.appendChild(section);
    }).catch(function () { /* nothing to chart: no chart */ });
  }
})();
