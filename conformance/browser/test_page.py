"""The proxy's page in a real browser: headless Debian chromium, driven through chromedriver.

The steps the tutorial's front end offers, as a person would take them: sign up, read the
code from the emulator's outbox, confirm, enrol TOTP (the code computed from the secret the
page shows, as an authenticator app would), sign out, sign in with TOTP, refresh through the
HttpOnly cookie, change the password, delete the account. Each step must show the backend's
answer in the page's status line; a screenshot of each is saved under $SCREENSHOTS.

Configuration: PROXY_URL (the page), EMULATOR_URL (its outbox), SCREENSHOTS (a folder).
"""

import json
import os
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
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=900,2000"):
        options.add_argument(flag)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        run(driver)
    finally:
        driver.quit()
    print(f"{checks['passed']} passed, {checks['failed']} failed")
    return 1 if checks["failed"] else 0


def run(driver):
    wait = WebDriverWait(driver, 10)
    driver.get(PROXY_URL + "/")
    check("the page loads", driver.title == "Cognito tutorial backend", driver.title)

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
        driver.save_screenshot(os.path.join(SCREENSHOTS, f"{step_number[0]:02d}-{element_id}.png"))
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
        "fetch('/', {method: 'POST', credentials: 'include', headers: {'Content-Type': 'text/plain'},"
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
