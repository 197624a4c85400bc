/* Drafts of forms kept in this browser (localStorage), so that what was typed survives an expired session or a
 * stale security token: a form marked data-draft="KEY" saves its text fields as they are typed and on submit, and
 * restores them on the next load of the same form. A success message tagged "draft-done-KEY" (the server's answer
 * to a form that went through) clears the draft. Files, passwords and hidden fields are never saved.
 * No dependencies; written for this project. */
(function () {
  "use strict";
  var PREFIX = "luoshi:draft:";
  var MAX_AGE_MS = 14 * 24 * 3600 * 1000; // a draft older than two weeks is dropped

  function storage() {
    try {
      var s = window.localStorage;
      s.setItem(PREFIX + "probe", "1");
      s.removeItem(PREFIX + "probe");
      return s;
    } catch (e) {
      return null; // private mode or storage disabled: forms work as before
    }
  }

  function fields(form) {
    var out = [];
    var els = form.elements;
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (!el.name || el.disabled) continue;
      var type = (el.type || "").toLowerCase();
      if (type === "file" || type === "password" || type === "hidden" || type === "submit" || type === "button") continue;
      if (el.name === "csrfmiddlewaretoken") continue;
      out.push(el);
    }
    return out;
  }

  function read(form) {
    var data = {};
    fields(form).forEach(function (el) {
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        data[el.name + "::" + el.value] = el.checked;
      } else if (el.tagName === "SELECT" && el.multiple) {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function write(form, data) {
    fields(form).forEach(function (el) {
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        var k = el.name + "::" + el.value;
        if (k in data) el.checked = !!data[k];
      } else if (el.tagName === "SELECT" && el.multiple) {
        if (Array.isArray(data[el.name])) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = data[el.name].indexOf(o.value) >= 0; });
        }
      } else if (el.name in data) {
        el.value = data[el.name];
      }
    });
  }

  function typedSomething(form, data) {
    // only text the person typed counts (a draft that equals the page's own defaults is not worth restoring)
    return fields(form).some(function (el) {
      return (el.tagName === "TEXTAREA" || (el.type || "text") === "text") && data[el.name] && data[el.name] !== el.defaultValue;
    });
  }

  function note(form, store, key) {
    var p = document.createElement("p");
    p.className = "draft-note";
    p.setAttribute("role", "status");
    p.textContent = "已恢复您上次在本浏览器中未提交成功的内容,请核对后提交。";
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "link";
    btn.textContent = "清除草稿";
    btn.addEventListener("click", function () {
      store.removeItem(key);
      form.reset();
      p.remove();
    });
    p.appendChild(document.createTextNode(" "));
    p.appendChild(btn);
    form.insertBefore(p, form.firstChild);
  }

  function init() {
    var store = storage();
    if (!store) return;
    var done = {};
    document.querySelectorAll(".messages li").forEach(function (li) {
      li.className.split(/\s+/).forEach(function (c) {
        if (c.indexOf("draft-done-") === 0) done[c.slice("draft-done-".length)] = true;
      });
    });
    Object.keys(done).forEach(function (k) { store.removeItem(PREFIX + k); });

    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      var key = PREFIX + form.getAttribute("data-draft");
      var saved = null;
      try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
      if (saved && (Date.now() - (saved.at || 0) > MAX_AGE_MS)) { store.removeItem(key); saved = null; }
      // a page that came back with what was typed (the server kept it) wins over the draft
      var serverKept = form.querySelector("[data-kept]") || document.getElementById("report-error");
      if (saved && saved.data && !serverKept && typedSomething(form, saved.data)) {
        write(form, saved.data);
        note(form, store, key);
      }
      var timer = null;
      function save() {
        var data = read(form);
        if (typedSomething(form, data)) {
          store.setItem(key, JSON.stringify({ at: Date.now(), path: location.pathname, data: data }));
        }
      }
      form.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(save, 300);
      });
      form.addEventListener("change", save);
      form.addEventListener("submit", save); // kept until the server says the form went through
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
