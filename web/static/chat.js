// The web chat's few behaviours htmx does not give: a preview of chosen photos, a fresh id on every
// message (the server answers a retried one once), clearing the form after a send, and keeping the
// newest message in view.
(function () {
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function showPreview(input) {
    var preview = document.getElementById("preview");
    preview.replaceChildren();
    Array.prototype.forEach.call(input.files || [], function (file) {
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      preview.appendChild(img);
    });
  }

  document.addEventListener("change", function (e) {
    if (e.target && e.target.id === "image") showPreview(e.target);
  });

  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.verb === "post" && e.detail.path === "/chat/send") {
      e.detail.parameters["message_id"] = newId();
    }
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = document.getElementById("composer");
    if (e.detail.elt === form && e.detail.successful) {
      form.reset();
      document.getElementById("preview").replaceChildren();
      document.getElementById("text").focus();
    }
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    var log = document.getElementById("log");
    if (e.detail.target === log) log.scrollTop = log.scrollHeight;
  });
})();
