"""The proxy's page in a real browser: headless Debian chromium, driven through chromedriver.

The steps the tutorial's front end offers, as a person would take them: sign up, read the
code from the emulator's outbox, confirm, enrol TOTP (the code computed from the secret the
page shows, as an authenticator app would), sign out, sign in with TOTP, refresh through the
HttpOnly cookie, change the password, delete the account. Each step must show the backend's
answer in the page's status line; a screenshot of each is saved under $SCREENSHOTS.

The steps run twice: on the page the backend serves, and on a copy of it served from the
front end's own origin (FRONT_END_PORT, on localhost: the tutorial's http://localhost:4521 set-up),
which calls the backend cross-origin, as the tutorial's front end does.

Configuration: PROXY_URL (the page), EMULATOR_URL (its outbox), SCREENSHOTS (a folder),
FRONT_END_PORT (a free port; the backend runs with --front-end-origin http://localhost:PORT).
"""

import http.server
import json
import os
import threading
import sys
import urllib.parse
import urllib.request
import uuid

import pyotp
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

PROXY_URL = os.environ["PROXY_URL"]
EMULATOR_URL = os.environ["EMULATOR_URL"]
SCREENSHOTS = os.environ["SCREENSHOTS"]
FRONT_END_PORT = int(os.environ["FRONT_END_PORT"])

checks = {"passed": 0, "failed": 0}
step_number = [0]


def check(name, condition, detail=""):
    if condition:
        checks["passed"] += 1
        print(f"PASS {name}")
    else:
        checks["failed"] += 1
        print(f"FAIL {name} {detail}")


def outbox_code(user):
    query = urllib.parse.urlencode({"user": user})
    with urllib.request.urlopen(f"{EMULATOR_URL}/_emulator/outbox?{query}") as r:
        messages = json.load(r)["messages"]
    return messages[-1]["code"] if messages else None


def main():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    # The background-networking flags keep chromium from calling Google's hosts, which a
    # machine without outside network refuses (or leaves hanging).
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=900,2000",
                 "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    front_end = serve_front_end()
    driver = webdriver.Chrome(service=service, options=options)
    try:
        run(driver, PROXY_URL + "/", "same-origin")
        driver.delete_all_cookies()
        run(driver, f"http://localhost:{FRONT_END_PORT}/", "cross-origin")
    finally:
        driver.quit()
        front_end.shutdown()
    print(f"{checks['passed']} passed, {checks['failed']} failed")
    return 1 if checks["failed"] else 0


def serve_front_end():
    """The backend's own page, its file names and script unchanged, served from the front
    end's origin with <meta name="backend"> naming the backend (by the name localhost, as the
    tutorial's front end calls it)."""
    backend = PROXY_URL.replace("127.0.0.1", "localhost") + "/"

    def fetch(path):
        with urllib.request.urlopen(PROXY_URL + path) as r:
            return r.headers["Content-Type"], r.read()

    files = {path: fetch(path) for path in ("/", "/app.js", "/style.css")}
    content_type, page = files["/"]
    marker = b'<meta name="backend" content="">'
    assert marker in page, "the page has no backend meta tag"
    files["/"] = (content_type, page.replace(marker, f'<meta name="backend" content="{backend}">'.encode()))

    class FrontEnd(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            content_type, body = files.get(self.path.split("?")[0], ("text/plain", b"not found"))
            self.send_response(200 if self.path.split("?")[0] in files else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", FRONT_END_PORT), FrontEnd)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(driver, page_url, mode):
    print(f"-- {mode}: {page_url}")
    wait = WebDriverWait(driver, 10)
    driver.get(page_url)
    check(f"the page loads ({mode})", driver.title == "Cognito tutorial backend", driver.title)
    if mode == "cross-origin":
        backend = driver.execute_script("return backend")
        check("the page calls the backend on another origin", backend.startswith("http://localhost:")
              and not page_url.startswith(backend), backend)

    def field(element_id, text):
        element = driver.find_element(By.ID, element_id)
        element.clear()
        element.send_keys(text)

    def click(element_id, label, expect):
        """Clicks, waits for the status line to change, screenshots, checks the text."""
        status = driver.find_element(By.ID, "status")
        before = status.text
        # A changed line, or the same text again after a repeated action: wait on a marker.
        driver.execute_script("document.getElementById('status').textContent = '…';")
        driver.find_element(By.ID, element_id).click()
        try:
            wait.until(lambda d: d.find_element(By.ID, "status").text not in ("", "…"))
        except Exception:
            pass
        text = status.text
        step_number[0] += 1
        driver.save_screenshot(os.path.join(SCREENSHOTS, f"{step_number[0]:02d}-{mode}-{element_id}.png"))
        check(label, expect in text, f"status {text!r} (was {before!r})")
        return text

    def visible(element_id):
        return driver.find_element(By.ID, element_id).is_displayed()

    user = f"browser-{uuid.uuid4().hex[:8]}@example.com"
    field("user", user)
    field("pass", "correct-horse")
    click("createAccount", "create account", "Create account: OK")
    code = outbox_code(user)
    check("a confirmation code reached the outbox", code is not None and len(code) == 6, code)
    field("conf_code", f"{code[:3]} {code[3:]}")
    click("confirmAccount", "confirm (signs in)", "Confirm: OK")
    check("signed in after confirming", visible("session"))

    click("QR_init", "set up an authenticator", "Set up an authenticator: OK")
    secret = driver.find_element(By.ID, "qr_secret").text
    image = driver.find_element(By.ID, "qr_image")
    loaded = driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)
    check("the QR code is drawn", loaded and image.get_attribute("src").startswith("data:image/svg+xml;base64,"))
    totp = pyotp.TOTP(secret)
    field("totp", totp.now())
    click("QR_TOTP", "verify and turn on TOTP", "Verify and turn on: OK")

    click("signOut", "sign out", "Sign out: OK")
    check("signed out", not visible("session"))
    # The cookie is gone: a refresh from this browser is refused (called as the page would).
    refused = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(backend, {method: 'POST', credentials: 'include', headers: {'Content-Type': 'text/plain'},"
        " body: JSON.stringify({env: 'refresh'})}).then(r => r.text().then(t => done(r.status + ': ' + t)));"
    )
    check("refresh after signing out is refused", refused == "401: Unauthenticated", refused)

    click("signIn", "sign in asks for the authenticator's code", "Sign in: MFA_REQUIRED")
    check("the code field is shown", visible("mfa"))
    field("mfa_code", totp.now())
    click("signInTotp", "sign in with the code", "Sign in with the code: OK")
    check("signed in with TOTP", visible("session"))
    token_before = driver.find_element(By.ID, "token").text
    click("refresh", "refresh through the HttpOnly cookie", "Refresh: OK")
    cookies = {c["name"]: c for c in driver.get_cookies()}
    check("the refresh token is an HttpOnly cookie", cookies.get("refresh_token", {}).get("httpOnly") is True, cookies)
    check("JavaScript cannot read it", "refresh_token" not in driver.execute_script("return document.cookie"))
    # The page shows the token's ends; a new token has a new signature (its jti is fresh).
    check("the access token changed", driver.find_element(By.ID, "token").text != token_before, token_before)

    field("old_pass", "wrong-horse")
    field("new_pass", "battery-staple")
    click("changePass", "a wrong current password is refused as the backend says",
          "Change password failed: 404: an error occured check the output from the backend")
    field("old_pass", "correct-horse")
    click("changePass", "change password", "Change password: OK")

    click("deleteAcct", "delete the account", "Delete the account: OK")
    check("signed out after deleting", not visible("session"))
    field("pass", "battery-staple")
    click("signIn", "the deleted user cannot sign in", "Sign in failed: 401: Unauthenticated")


if __name__ == "__main__":
    sys.exit(main())
