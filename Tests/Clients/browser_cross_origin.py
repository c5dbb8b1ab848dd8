"""Another site's page calling Wharf's API in a real browser (headless Chromium), which enforces CORS.

Usage: browser_cross_origin.py API_URL PASSWORD ALLOWED_PORT

Serves a page of its own on 127.0.0.1:ALLOWED_PORT (the origin Wharf was started with in
--cors-origin) and on another port (an origin it was not). From the allowed origin the page signs
in for a bearer token, sends a file through tus (a creation and a PATCH, each after a preflight),
reads the headers tus needs (Location, Upload-Offset, Wharf-File-URL) and fetches the file's record.
From the other origin the same sign-in must fail in the browser. Prints "ok" at the end.
"""

import http.server
import json
import sys
import threading

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

PAGE = """<!doctype html><meta charset="utf-8"><title>another site</title>
<script>
window.result = null;
(async () => {
  const api = new URLSearchParams(location.search).get("api");
  try {
    const signIn = await fetch(api + "/api/token", {
      method: "POST",
      body: new URLSearchParams({grant_type: "password", username: "admin", password: PASSWORD}),
    });
    const token = (await signIn.json()).access_token;
    const auth = {"Authorization": "Bearer " + token, "Tus-Resumable": "1.0.0"};
    const bytes = new TextEncoder().encode("sent from another site");
    const created = await fetch(api + "/api/uploads/", {
      method: "POST",
      headers: {...auth, "Upload-Length": String(bytes.length), "Upload-Metadata": "filename " + btoa("cross.txt")},
    });
    const location = created.headers.get("Location");
    const patched = await fetch(new URL(location, api), {
      method: "PATCH",
      headers: {...auth, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
      body: bytes,
    });
    const fileURL = patched.headers.get("Wharf-File-URL");
    const record = await (await fetch(new URL(fileURL, api), {headers: auth})).json();
    window.result = {created: created.status, location, patched: patched.status,
                     offset: patched.headers.get("Upload-Offset"), name: record.name, size: record.size};
  } catch (error) {
    window.result = {error: String(error)};
  }
})();
</script>
"""


class Page(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *arguments):
        pass


def serve(port):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def run_page(driver, page_port, api):
    driver.get(f"http://127.0.0.1:{page_port}/?api={api}")
    return WebDriverWait(driver, 30).until(lambda d: d.execute_script("return window.result"))


def main():
    api, password, allowed_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    Page.body = PAGE.replace("PASSWORD", json.dumps(password)).encode()
    allowed, other = serve(allowed_port), serve(0)
    driver = browser()
    try:
        result = run_page(driver, allowed_port, api)
        expected = {"created": 201, "patched": 204, "offset": "22", "name": "cross.txt", "size": 22}
        if any(result.get(key) != value for key, value in expected.items()) or not (result.get("location") or "").startswith("/api/uploads/"):
            raise SystemExit(f"from the allowed origin: {result}")
        refused = run_page(driver, other.server_address[1], api)
        if "error" not in refused:
            raise SystemExit(f"from an origin not named, the browser let the page read: {refused}")
    finally:
        driver.quit()
        allowed.shutdown()
        other.shutdown()
    print("ok")


if __name__ == "__main__":
    main()
