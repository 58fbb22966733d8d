// Starts the vendored Swagger UI on /api/docs. A static file, because the Content-Security-Policy
// allows no inline script. The spec URL comes from the page; nothing is fetched from elsewhere.
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    window.SwaggerUIBundle({
      url: root.getAttribute("data-spec-url"),
      domNode: root,
      deepLinking: false,
      validatorUrl: null, // the default sends the document to a third-party validator
      tryItOutEnabled: false,
      persistAuthorization: false, // never keep a token in the browser's storage
      withCredentials: false,
      defaultModelsExpandDepth: 0,
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
