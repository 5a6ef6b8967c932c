// The search page without a round of clicks: a new sort applies at once
// (the form's "Trier" button does it without JavaScript).
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  var sort = document.getElementById('sort');
  if (sort) {
    sort.addEventListener('change', function () { sort.form.submit(); });
  }
})();
