"""The web site in a real browser: headless Chromium driven by Selenium.

Usage: browser_files.py BASE_URL PASSWORD SCREENSHOTS WORK

Signs in as admin (after a refused attempt: the name kept, the cursor in the password field, the
message readable in light and dark; the page logging no errors), uploads two files through the
file input and sees both finish and appear, uploads a file whose name is HTML and sees it shown
as text, sees an image's thumbnail replace its label when it is made, filters and sorts the
list, sees every button's label on one line and no long name wider than a phone's screen, opens
a file's details (and is taken to them), previews a text file and replaces its content (refused
once while it was replaced elsewhere), edits its description (kept after a reload), shares it
(and copies the link, with and without the clipboard API) and renames it, closes the details
(and is taken back to the file's row), opens two files quickly on a slow connection (and sees
the second), signs out and opens the file's address (and sees the file once signed in again),
deletes a file whose details are open (and sees them close), sends a large file through tus on a
throttled connection, reloads the page mid-way and resumes it by choosing the file again, sends
another in pieces that grow and shrink to the server's request limit,
cancels an upload and has one fail (and sees which is which), loads a second page of files and
sees it kept when a file is added, and opens a page that does not exist. Saves screenshots of
the pages it saw in SCREENSHOTS, and failure.png there when a step fails. Prints "ok" at the end.
"""

import hashlib
import json
import os
import struct
import sys
import urllib.parse
import urllib.request
import zlib

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

XSS_NAME = "<img src=x onerror=alert(1)>.png"


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    # The driver from Debian's package, named here so that Selenium never looks on the network.
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def png(width, height):
    """A PNG of one colour, written without an imaging library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x30\x90\xd0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def row_names(driver):
    # Read in one go: the list is redrawn whenever an event comes, which would leave elements stale.
    return driver.execute_script("return [...document.querySelectorAll('#listing tbody tr td:nth-child(2) a')].map((a) => a.textContent)")


def check_console(driver, expected=()):
    """Fails on an error the pages logged since the last look (a missing icon, a script against the
    CSP, an uncaught exception), but for those naming one of `expected`."""
    errors = [
        entry["message"] for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and not any(text in entry["message"] for text in expected)
    ]
    if errors:
        raise SystemExit(f"the pages logged errors: {errors}")


def contrast(driver, selector):
    """The contrast ratio (WCAG 2) of the text of `selector` against the page's background."""
    return driver.execute_script("""
        const probe = document.createElement('div');
        probe.style.background = 'Canvas';
        document.body.append(probe);
        const colours = [getComputedStyle(document.querySelector(arguments[0])).color, getComputedStyle(probe).backgroundColor];
        probe.remove();
        const [text, page] = colours.map((colour) => {
            const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map((c) => {
                const v = Number(c) / 255;
                return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
            });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        });
        return (Math.max(text, page) + 0.05) / (Math.min(text, page) + 0.05);""", selector)


def throttle(driver, upload_bytes_per_second):
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": upload_bytes_per_second},
    )


def resume_large_upload(driver, wait, work):
    """A large file goes through tus; the page reloaded mid-way and the same file chosen again
    resumes the same upload, which finishes."""
    large = os.path.join(work, "large.bin")
    with open(large, "wb") as out:
        out.write(os.urandom(6 << 20))
    driver.execute_script("localStorage.setItem('wharf.tusThreshold', String(1024 * 1024))")
    driver.refresh()
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "who"), "admin"))
    throttle(driver, 1_000_000)
    # The upload's tags travel in its tus metadata, fixed when it begins.
    driver.find_element(By.ID, "upload-tags").send_keys("big, binary")
    driver.find_element(By.ID, "files").send_keys(large)
    driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
    sent = "const bar = [...document.querySelectorAll('#transfers progress')].pop(); return bar ? bar.value : 0"
    wait.until(lambda d: d.execute_script(sent) > (1 << 20))
    begun = driver.execute_script("return Object.keys(localStorage).filter((k) => k.startsWith('wharf.tus:')).map((k) => localStorage.getItem(k))")
    if len(begun) != 1:
        raise SystemExit(f"the page remembers {begun!r}")
    driver.refresh()
    throttle(driver, -1)
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "who"), "admin"))
    # The unfinished upload holds its length against the quota, and the header says so.
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "usage-text"), "6.0 MiB held by unfinished uploads"))
    driver.find_element(By.ID, "files").send_keys(large)
    driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#transfers li.done")) == 1)
    status = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {method: 'HEAD', headers: {'Tus-Resumable': '1.0.0'}})"
        ".then((r) => done([r.headers.get('Upload-Offset'), r.headers.get('Wharf-File-URL')]));",
        begun[0],
    )
    if status[0] != str(6 << 20) or not status[1]:
        raise SystemExit(f"the upload begun before the reload ended as {status!r}")
    if driver.execute_script("return Object.keys(localStorage).filter((k) => k.startsWith('wharf.tus:')).length") != 0:
        raise SystemExit("the finished upload is still remembered")
    tags = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then((r) => r.json()).then((file) => done(file.tags));",
        status[1],
    )
    if tags != ["big", "binary"]:
        raise SystemExit(f"the tus upload's file has the tags {tags!r}")
    driver.execute_script("localStorage.removeItem('wharf.tusThreshold')")


def pieces_grow_and_shrink(driver, wait, work):
    """A large upload's pieces grow while each goes quickly and shrink when the server takes less
    in one request (this one runs with --max-upload-size 20MiB): 8 and 16 MiB, then 32 refused
    with 413, then 16 and the last 8; the file arrives whole."""
    path = os.path.join(work, "pieces.bin")
    data = os.urandom(48 << 20)
    with open(path, "wb") as out:
        out.write(data)
    driver.execute_script("localStorage.setItem('wharf.tusThreshold', String(1024 * 1024))")
    driver.refresh()
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "who"), "admin"))
    driver.execute_script("performance.clearResourceTimings(); performance.setResourceTimingBufferSize(1000)")
    driver.find_element(By.ID, "files").send_keys(path)
    driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#transfers li.done")) == 1)
    statuses = driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".filter((e) => e.initiatorType === 'xmlhttprequest' && e.name.includes('/api/uploads/')).map((e) => e.responseStatus)")
    if statuses != [204, 204, 413, 204, 204]:
        raise SystemExit(f"the pieces were answered {statuses!r}")
    stored = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/api/files?q=pieces.bin').then((r) => r.json()).then((page) => done(page.items.map((file) => file.sha256)));")
    if stored != [hashlib.sha256(data).hexdigest()]:
        raise SystemExit(f"the upload in pieces stored {stored!r}")
    check_console(driver, expected=(" - Failed to load resource: the server responded with a status of 413",))
    driver.execute_script("localStorage.removeItem('wharf.tusThreshold')")


def copy_share_link(driver, wait, base, link):
    """Copy puts the share link on the clipboard and says so: through the clipboard API, and
    without it, as a page over plain HTTP from another machine has none."""
    driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    for clipboard_api in (True, False):
        driver.execute_async_script("navigator.clipboard.writeText('nothing yet').then(arguments[arguments.length - 1])")
        if not clipboard_api:
            driver.execute_script("Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true })")
        button = driver.find_element(By.XPATH, "//ul[@id='links']//button[starts-with(., 'Cop')]")
        driver.execute_script("arguments[0].textContent = 'Copy'", button)
        button.click()
        wait.until(lambda d: button.text == "Copied")
        driver.execute_script("delete navigator.clipboard")
        copied = driver.execute_async_script("navigator.clipboard.readText().then(arguments[arguments.length - 1])")
        if copied != link:
            raise SystemExit(f"Copy put {copied!r} on the clipboard (clipboard API: {clipboard_api})")


def patch_elsewhere(driver, change):
    """Changes the details of the file shown from outside the page: the status answered."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(`/api/files/${location.hash.slice(6)}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' },"
        " body: JSON.stringify(arguments[0]) }).then((r) => done(r.status))", change)


def record_here(driver):
    """The record of the file shown, as the API has it now."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(`/api/files/${location.hash.slice(6)}`).then((r) => r.json()).then(done)")


def details_follow_the_last_click(driver, wait):
    """On a slow connection, a text file opened and then at once an image: the image's details are
    shown, with nothing of the text file's, whose answers (the record, the text, its share links)
    come later."""
    driver.execute_script("location.hash = ''")
    wait.until(expected_conditions.invisibility_of_element_located((By.ID, "details")))
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions", {"offline": False, "latency": 300, "downloadThroughput": -1, "uploadThroughput": -1}
    )
    links = driver.execute_script(
        "return ['bravo-renamed.txt', 'picture.png'].map((name) => [...document.querySelectorAll('#listing a')].find((a) => a.textContent === name).hash)")
    driver.execute_script("location.hash = arguments[0]; setTimeout(() => { location.hash = arguments[1]; }, 50)", *links)
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "details-title"), "picture.png"))
    # Long enough for the text file's answers, had they been waited for, to have come.
    driver.execute_script("return new Promise((done) => setTimeout(done, 2000))")
    title = driver.find_element(By.ID, "details-title").text
    if title != "picture.png" or driver.find_element(By.ID, "text-preview").is_displayed():
        raise SystemExit(f"after opening picture.png last, the details show {title!r}")
    # The text file has a share link, the image none.
    if driver.find_elements(By.CSS_SELECTOR, "#links li"):
        raise SystemExit("the image's details list the text file's share links")
    throttle(driver, -1)
    driver.execute_script("location.hash = ''")


def cancelled_and_failed_uploads(driver, wait, work):
    """An upload cancelled mid-way says so and keeps nothing; one whose connection fails says that
    instead (not that it was cancelled). Both through tus (the page still takes 1 MiB as large)
    and, after a reload, as a form."""
    path = os.path.join(work, "slow.bin")
    with open(path, "wb") as out:
        out.write(os.urandom(2 << 20))

    def last_transfer():
        return driver.execute_script(
            "const item = [...document.querySelectorAll('#transfers li')].pop();"
            "return [item.querySelector('.status').textContent, item.classList.contains('error')]")

    def upload():
        driver.find_element(By.ID, "files").send_keys(path)
        driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()

    for _ in ("tus", "form"):
        throttle(driver, 100_000)
        upload()
        sent = "const bar = [...document.querySelectorAll('#transfers progress')].pop(); return bar ? bar.value : 0"
        wait.until(lambda d: d.execute_script(sent) > 0)
        driver.execute_script("[...document.querySelectorAll('#transfers li')].pop().querySelector('button').click()")
        wait.until(lambda d: last_transfer() == ["cancelled", False])
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions", {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
        )
        upload()
        wait.until(lambda d: last_transfer() == ["The connection failed; try again.", True])
        throttle(driver, -1)
        driver.refresh()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "who"), "admin"))
    if "slow.bin" in row_names(driver):
        raise SystemExit("a cancelled or failed upload was kept")
    # Nothing failed but what the lost connection failed: no termination refused, no uncaught error.
    check_console(driver, expected=("ERR_INTERNET_DISCONNECTED",))


def usage_follows_the_files(driver, wait):
    """The header's meter shows what the files hold (a content stored twice counting once) against
    the quota, and follows the files as they change."""
    held = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/api/files?limit=1000').then((r) => r.json()).then((page) => {
            const sizes = new Map(page.items.map((file) => [file.sha256, file.size]));
            done([...sizes.values()].reduce((sum, size) => sum + size, 0));
        })""")
    wait.until(lambda d: d.execute_script("return document.querySelector('#usage-meter').value") == held)
    shown = driver.find_element(By.ID, "usage-text").text
    if not shown.endswith(" of 1.0 GiB used"):
        raise SystemExit(f"the usage reads {shown!r}")
    return held


def fill_and_submit(driver, form, values):
    """Types each value into the field of its id (emptied first), then submits the form of id `form`."""
    for field, value in values.items():
        element = driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)
    driver.find_element(By.CSS_SELECTOR, f"#{form} button[type=submit]").click()


def change_password(driver, wait, password):
    """The header's Password button changes the password in a dialog that says what is wrong;
    the page stays signed in, and the next sign-in takes the new password."""
    def submit(current, new, again):
        fill_and_submit(driver, "password-form", {"current-password": current, "new-password": new, "repeat-password": again})

    driver.find_element(By.ID, "change-password").click()
    wait.until(expected_conditions.visibility_of_element_located((By.ID, "password-dialog")))
    submit(password, "a new password", "another new password")
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "password-message"), "differ"))
    submit("not the password", "a new password", "a new password")
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "password-message"), "current password is incorrect"))
    check_console(driver, expected=("/api/me/password - Failed to load resource: the server responded with a status of 400",))
    submit(password, "a new password", "a new password")
    wait.until(expected_conditions.invisibility_of_element_located((By.ID, "password-dialog")))
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "who"), "Password changed"))
    # The dialog's form kept the user's name (for password managers, and for the page itself).
    if not driver.find_element(By.ID, "who").text.startswith("Signed in as admin."):
        raise SystemExit(f"after the change the header reads {driver.find_element(By.ID, 'who').text!r}")
    driver.refresh()
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "who"), "Signed in as admin"))
    driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait.until(expected_conditions.url_contains("/login"))
    check_console(driver, expected=("/api/me", "not signed in"))
    driver.find_element(By.NAME, "username").send_keys("admin")
    driver.find_element(By.NAME, "password").send_keys("a new password")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "who"), "Signed in as admin"))


def signed_out_elsewhere(driver, wait, base, password):
    """A sign-out elsewhere (another tab, here a request of its own) ends this page's live feed
    at the next change, and the page goes to the sign-in page instead of going stale."""
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; fetch('/logout', { method: 'POST' }).then(() => done())")
    form = urllib.parse.urlencode({"username": "admin", "password": password}).encode()
    with urllib.request.urlopen(base + "/api/token", data=form) as answer:
        token = json.load(answer)["access_token"]
    upload = urllib.request.Request(
        base + "/api/files?name=from-elsewhere.txt", data=b"elsewhere", method="PUT", headers={"Authorization": "Bearer " + token})
    urllib.request.urlopen(upload).close()
    wait.until(expected_conditions.url_contains("/login"))
    check_console(driver, expected=("/api/events", "/api/me", "not signed in"))


def manage_users(driver, wait):
    """An admin adds a user with a quota, sees a refusal's reason, sets the quota back to the
    default and deletes the user, whose file goes to the user named, from the Users section."""
    def users():
        return driver.execute_script(
            "return [...document.querySelectorAll('#user-list tbody tr')].map((row) => [row.cells[0].textContent, row.querySelector('input').value])")

    def add(name, password, quota):
        fill_and_submit(driver, "add-user", {"new-user": name, "new-user-password": password, "new-user-quota": quota})

    wait.until(lambda d: users() == [["admin", ""]])
    add("b o b", "long enough", "")
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "users-message"), "is not a user name"))
    add("carol", "carol-password", "1 MiB")
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "users-message"), "Added carol."))
    wait.until(lambda d: users() == [["admin", ""], ["carol", "1 MiB"]])
    quota = driver.find_element(By.CSS_SELECTOR, "input[aria-label='Quota of carol']")
    quota.clear()
    driver.find_element(By.CSS_SELECTOR, "button[aria-label='Set the quota of carol']").click()
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "users-message"), "the default"))
    wait.until(lambda d: users() == [["admin", ""], ["carol", ""]])
    # carol owns a file: deleting her asks whom it goes to, and it is theirs then.
    uploaded = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/api/token', { method: 'POST', body: new URLSearchParams({ username: 'carol', password: 'carol-password' }) })
            .then((r) => r.json())
            .then((token) => fetch('/api/files?name=carols.txt', { method: 'PUT', body: 'hers', headers: { Authorization: `Bearer ${token.access_token}` } }))
            .then((r) => done(r.status))""")
    if uploaded != 201:
        raise SystemExit(f"carol's upload answered {uploaded}")
    # carol is made an admin and a user again, each after a question, and given a new password in
    # a dialog, which she then signs in with.
    def roles():
        return driver.execute_script(
            "return [...document.querySelectorAll('#user-list tbody tr')].map((row) => row.cells[1].querySelector('select')?.value ?? row.cells[1].textContent)")

    for role in ("admin", "user"):
        Select(driver.find_element(By.CSS_SELECTOR, "select[aria-label='Role of carol']")).select_by_value(role)
        wait.until(expected_conditions.alert_is_present()).accept()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "users-message"), f"carol is {'an admin' if role == 'admin' else 'a user'} now."))
        wait.until(lambda d: roles() == ["admin", role])
    driver.find_element(By.CSS_SELECTOR, "button[aria-label='Set a new password for carol']").click()
    fill_and_submit(driver, "reset-form", {"reset-password": "carol-renewed", "reset-repeat": "carol-renewed"})
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "users-message"), "carol has a new password"))
    signed_in = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/api/token', { method: 'POST', body: new URLSearchParams({ username: 'carol', password: 'carol-renewed' }) }).then((r) => done(r.status))""")
    if signed_in != 200:
        raise SystemExit(f"carol's new password answered {signed_in}")
    # On a phone's width each user's row wraps within the screen.
    driver.set_window_size(390, 844)
    sideways = driver.execute_script("return document.documentElement.scrollWidth - innerWidth")
    driver.set_window_size(1280, 900)
    if sideways > 0:
        raise SystemExit(f"the users make the page {sideways} px wider than a phone's screen")
    driver.find_element(By.CSS_SELECTOR, "button[aria-label='Delete the user carol']").click()
    wait.until(expected_conditions.alert_is_present()).accept()
    heir = wait.until(expected_conditions.alert_is_present())
    heir.send_keys("admin")
    heir.accept()
    wait.until(lambda d: users() == [["admin", ""]])
    wait.until(lambda d: "carols.txt" in row_names(d))
    owner = driver.execute_script(
        "return [...document.querySelectorAll('#listing tbody tr')].find((row) => row.textContent.includes('carols.txt')).querySelector('td.owner').textContent")
    if owner != "admin":
        raise SystemExit(f"carol's file went to {owner!r}")
    check_console(driver, expected=("/api/users - Failed to load resource: the server responded with a status of 400", "/api/users/carol - Failed to load resource: the server responded with a status of 409"))


def drop(driver, path):
    """Drops a file or a folder of this machine on the page, as a file manager does."""
    data = {"items": [], "files": [path], "dragOperationsMask": 1}
    for kind in ("dragEnter", "dragOver", "drop"):
        driver.execute_cdp_cmd("Input.dispatchDragEvent", {"type": kind, "x": 300, "y": 300, "data": data})


def drop_files_and_folders(driver, wait, work):
    """A file dropped on the page is uploaded; a folder, every file in it and in its folders, each
    under its own name, but none of what operating systems leave there; an empty one says so."""
    single = os.path.join(work, "dropped.txt")
    with open(single, "w") as out:
        out.write("dropped\n")
    drop(driver, single)
    wait.until(lambda d: "dropped.txt" in row_names(d))
    folder = os.path.join(work, "photos")
    os.makedirs(os.path.join(folder, "2026", "june"))
    for relative in ("cover.txt", "2026/june/day.txt", ".DS_Store", "2026/Thumbs.db"):
        with open(os.path.join(folder, relative), "w") as out:
            out.write(relative)
    drop(driver, folder)
    wait.until(lambda d: {"cover.txt", "day.txt"} <= set(row_names(d)))
    empty = os.path.join(work, "empty")
    os.makedirs(empty)
    drop(driver, empty)
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "transfers"), "The dropped folder holds no files."))
    names = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/api/files?limit=1000').then((r) => r.json()).then((page) => done(page.items.map((file) => file.name)))")
    if {".DS_Store", "Thumbs.db"} & set(names):
        raise SystemExit(f"a dropped folder's system files were uploaded: {sorted(names)}")


def more_pages_stay(driver, wait):
    """With a second page loaded ("Load more"), a file uploaded elsewhere appears and the loaded
    rows stay: the list is drawn again as long as the reader made it, not cut back to a page, and
    the focus stays on the row it was on."""
    upload = """
        const done = arguments[arguments.length - 1];
        const form = new FormData();
        for (const name of arguments[0]) form.append("file", new Blob([name]), name);
        fetch("/api/files", { method: "POST", body: form }).then((response) => done(response.status));"""
    if driver.execute_async_script(upload, [f"bulk-{n:02}.txt" for n in range(55)]) != 201:
        raise SystemExit("the bulk upload failed")
    total = len(driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/api/files?limit=1000').then((r) => r.json()).then((page) => done(page.items))"))
    wait.until(lambda d: len(row_names(d)) == 50 and d.find_element(By.ID, "more").is_displayed())
    driver.find_element(By.ID, "more").click()
    wait.until(lambda d: len(row_names(d)) == total)
    # A keyboard's place in the list is kept too: the row's button keeps the focus.
    focused = "Delete bulk-54.txt"
    driver.execute_script("document.querySelector(`#listing button[aria-label='${arguments[0]}']`).focus()", focused)
    # Sorted by name or by time, a file named so sorts among the first rows.
    if driver.execute_async_script(upload, ["0-new.txt"]) != 201:
        raise SystemExit("the upload of 0-new.txt failed")
    wait.until(lambda d: "0-new.txt" in row_names(d))
    wait.until(lambda d: len(row_names(d)) == total + 1)
    now = driver.execute_script("return document.activeElement.getAttribute('aria-label')")
    if now != focused:
        raise SystemExit(f"after the list was drawn again the focus is on {now!r}, not {focused!r}")


def main() -> None:
    base, password, screenshots, work = sys.argv[1:5]
    os.makedirs(screenshots, exist_ok=True)
    files = {}
    for name, content in (("alpha.txt", "alpha\n"), ("bravo.txt", "bravo " * 1000), (XSS_NAME, "not an image")):
        path = os.path.join(work, name)
        with open(path, "w") as out:
            out.write(content)
        files[name] = path

    driver = browser()
    wait = WebDriverWait(driver, 20)
    try:
        driver.get(base + "/")
        wait.until(expected_conditions.url_contains("/login"))
        # The only errors so far are those of the 401 that sent the page here.
        check_console(driver, expected=("/api/me", "not signed in"))
        driver.find_element(By.NAME, "username").send_keys("admin")
        driver.find_element(By.NAME, "password").send_keys("not the password")
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        # A refusal keeps the name, puts the cursor in the password field and is readable in both
        # colour schemes (WCAG's 4.5:1 for text).
        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "p.error")))
        check_console(driver, expected=("/login - ",))
        if driver.find_element(By.NAME, "username").get_attribute("value") != "admin":
            raise SystemExit("the refused sign-in forgot the name")
        # Autofocus is applied at a later rendering step than the page's parsing, so it is waited for.
        try:
            WebDriverWait(driver, 5).until(lambda d: d.switch_to.active_element.get_attribute("name") == "password")
        except TimeoutException:
            raise SystemExit("the refused sign-in does not put the cursor in the password field")
        for scheme in ("light", "dark"):
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
            ratio = contrast(driver, "p.error")
            if ratio < 4.5:
                raise SystemExit(f"the refusal's text has a contrast of {ratio:.2f}:1 in the {scheme} scheme")
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.save_screenshot(os.path.join(screenshots, "sign-in.png"))
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "who"), "admin"))

        driver.find_element(By.ID, "files").send_keys(files["alpha.txt"] + "\n" + files["bravo.txt"])
        driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#transfers li.done")) == 2)
        wait.until(lambda d: {"alpha.txt", "bravo.txt"} <= set(row_names(d)))
        if usage_follows_the_files(driver, wait) != 6 + 6000:
            raise SystemExit("the usage does not count the two files uploaded")
        # An admin sees everyone's files: the list says whose each is.
        owners = driver.execute_script(
            "return [...document.querySelectorAll('#listing tbody td.owner')].filter((cell) => cell.offsetParent).map((cell) => cell.textContent)")
        if owners != ["admin"] * len(row_names(driver)):
            raise SystemExit(f"the list shows owners {owners}")

        driver.find_element(By.ID, "files").send_keys(files[XSS_NAME])
        driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
        wait.until(lambda d: XSS_NAME in row_names(d))
        if driver.execute_script("return document.querySelectorAll('#listing tbody img').length") > 0:
            raise SystemExit("a file name was inserted as HTML")
        try:
            driver.switch_to.alert
            raise SystemExit("a file name ran script")
        except NoAlertPresentException:
            pass
        # An image's row shows a label until its thumbnail is made, then the thumbnail (live).
        picture = os.path.join(work, "picture.png")
        with open(picture, "wb") as out:
            out.write(png(300, 200))
        # The tags typed beside the files go to each of them.
        driver.find_element(By.ID, "upload-tags").send_keys("holiday, beach")
        driver.find_element(By.ID, "files").send_keys(picture)
        driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
        wait.until(lambda d: d.execute_script(
            "return [...document.querySelectorAll('#listing tbody tr')].some((row) => row.textContent.includes('picture.png') && row.querySelector('td.preview img'))"))
        chips = driver.execute_script(
            "return [...[...document.querySelectorAll('#listing tbody tr')].find((row) => row.textContent.includes('picture.png'))"
            ".querySelectorAll('button.tag')].map((chip) => chip.textContent)")
        if chips != ["holiday", "beach"]:
            raise SystemExit(f"picture.png shows the tags {chips!r}")
        driver.find_element(By.ID, "upload-tags").clear()
        driver.save_screenshot(os.path.join(screenshots, "files.png"))
        check_console(driver)

        # The list filters by name and sorts.
        driver.find_element(By.ID, "q").send_keys("brav")
        wait.until(lambda d: row_names(d) == ["bravo.txt"])
        driver.find_element(By.ID, "q").clear()
        driver.find_element(By.CSS_SELECTOR, "#sort option[value='name']").click()
        wait.until(lambda d: row_names(d) == sorted(row_names(d)) and len(row_names(d)) == 4)

        # On a phone's width no button's label breaks over two lines (a long tag, which is data,
        # wraps in its chip), and a long name neither in the uploads, the list nor the details
        # makes the page scroll sideways.
        driver.set_window_size(390, 844)
        long_name = os.path.join(work, "quarterly_report_final_" + "x" * 100 + ".txt")
        with open(long_name, "w") as out:
            out.write("long\n")
        driver.find_element(By.ID, "files").send_keys(long_name)
        driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
        wait.until(lambda d: os.path.basename(long_name) in row_names(d))
        # Many tags, one as long as a tag may be, do not widen the list either: six show, then a count.
        tagged = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "const id = [...document.querySelectorAll('#listing a')].find((a) => a.textContent.startsWith('quarterly')).hash.slice(6);"
            "fetch(`/api/files/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' },"
            " body: JSON.stringify({ tags: ['x'.repeat(64), ...Array.from({ length: 9 }, (_, i) => `tag${i}`)] }) }).then((r) => done(r.status))")
        if tagged != 200:
            raise SystemExit(f"tagging the long-named file answered {tagged}")
        wait.until(lambda d: d.execute_script("return [...document.querySelectorAll('.tags .more')].map((more) => more.textContent)") == ["+4"])
        driver.find_element(By.LINK_TEXT, os.path.basename(long_name)).click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "details-title"), "quarterly"))
        sideways = driver.execute_script("return document.documentElement.scrollWidth - innerWidth")
        if sideways > 0:
            raise SystemExit(f"a long name makes the page {sideways} px wider than a phone's screen")
        broken = driver.execute_script("""
            return [...document.querySelectorAll('button:not(.tag)')].filter((button) => button.offsetParent).filter((button) => {
                const range = document.createRange();
                range.selectNodeContents(button);
                return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1;
            }).map((button) => button.textContent)""")
        if broken:
            raise SystemExit(f"button labels broken over lines on a narrow screen: {broken}")
        driver.set_window_size(1280, 900)

        # Details: an image's show its thumbnail.
        driver.find_element(By.LINK_TEXT, "picture.png").click()
        wait.until(expected_conditions.visibility_of_element_located((By.ID, "preview")))
        # Opening another file takes the reader (and the focus) to its details below the list, and
        # shows none of the image's; the description is saved and still there after a reload; a
        # share link is made.
        driver.find_element(By.LINK_TEXT, "bravo.txt").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "details-title"), "bravo.txt"))
        wait.until(lambda d: d.execute_script("""
            const title = document.activeElement;
            const box = title.getBoundingClientRect();
            return title.id === 'details-title' && box.top >= 0 && box.bottom <= innerHeight / 3"""))
        if driver.find_element(By.ID, "preview").is_displayed():
            raise SystemExit("a text file's details show the thumbnail of the image seen before")
        driver.find_element(By.ID, "description").send_keys("Quarterly numbers")
        driver.find_element(By.ID, "tags").send_keys("reports, Q3, q3 ")
        driver.find_element(By.CSS_SELECTOR, "#metadata button[type=submit]").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "saved"), "Saved."))
        # The field shows the tags as stored: each once.
        wait.until(lambda d: d.find_element(By.ID, "tags").get_attribute("value") == "reports, Q3")
        # Details saved elsewhere since they were shown are not overwritten unseen: the page says
        # so and keeps what is written in it, which a second Save puts there.
        if patch_elsewhere(driver, {"description": "From elsewhere"}) != 200:
            raise SystemExit("the description's change from elsewhere failed")
        driver.find_element(By.CSS_SELECTOR, "#metadata button[type=submit]").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "saved"), "changed elsewhere"))
        if driver.find_element(By.ID, "description").get_attribute("value") != "Quarterly numbers":
            raise SystemExit("the refused save lost what was written in the form")
        driver.find_element(By.CSS_SELECTOR, "#metadata button[type=submit]").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "saved"), "Saved."))
        if record_here(driver)["description"] != "Quarterly numbers":
            raise SystemExit("the second save did not keep the form's description")
        check_console(driver, expected=(" - Failed to load resource: the server responded with a status of 412",))
        driver.find_element(By.CSS_SELECTOR, "#share button[type=submit]").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#links input"))
        link = driver.find_element(By.CSS_SELECTOR, "#links input").get_attribute("value")
        if "/s/" not in link:
            raise SystemExit(f"the share link is {link!r}")
        copy_share_link(driver, wait, base, link)
        # A link says how much of it was used: a limit of one, used, is used up.
        driver.find_element(By.ID, "limit").send_keys("1")
        driver.find_element(By.CSS_SELECTOR, "#share button[type=submit]").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#links li")) == 2)
        states = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#links li")]
        if not (", 0 downloads" in states[0] and ", 0 of 1 download" in states[1]):
            raise SystemExit(f"the share links read {states!r}")
        limited = driver.find_elements(By.CSS_SELECTOR, "#links li input")[1].get_attribute("value")
        if driver.execute_async_script("fetch(arguments[0]).then((r) => arguments[1](r.status))", limited) != 200:
            raise SystemExit("the limited share link did not download")
        if not driver.find_element(By.ID, "text-preview").text.startswith("bravo bravo"):
            raise SystemExit("the text file's preview is missing")
        replacement = os.path.join(work, "replacement.txt")
        with open(replacement, "w") as out:
            out.write("charlie\n")
        # A content replaced elsewhere since the details were shown is not overwritten unseen: the
        # page says so and shows the file as it is now; replacing it again then works.
        elsewhere = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(`/api/files/${location.hash.slice(6)}/content`, { method: 'PUT', body: 'delta' }).then((r) => done(r.status))")
        if elsewhere != 200:
            raise SystemExit(f"the replacement from elsewhere answered {elsewhere}")
        # New content is no change of the details: saving them goes through.
        driver.find_element(By.CSS_SELECTOR, "#metadata button[type=submit]").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "saved"), "Saved."))
        driver.find_element(By.ID, "replacement").send_keys(replacement)
        driver.find_element(By.CSS_SELECTOR, "#replace button[type=submit]").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "replaced"), "changed elsewhere"))
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "text-preview"), "delta"))
        check_console(driver, expected=(" - Failed to load resource: the server responded with a status of 412",))
        driver.find_element(By.ID, "replacement").send_keys(replacement)
        driver.find_element(By.CSS_SELECTOR, "#replace button[type=submit]").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "details-size"), "8 B"))
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "text-preview"), "charlie"))
        driver.save_screenshot(os.path.join(screenshots, "details.png"))
        driver.refresh()
        wait.until(lambda d: d.find_element(By.ID, "description").get_attribute("value") == "Quarterly numbers")
        wait.until(lambda d: "used up: 1 of 1 download" in d.find_element(By.ID, "links").text)
        name = driver.find_element(By.ID, "name")
        name.clear()
        name.send_keys("bravo-renamed.txt")
        driver.find_element(By.CSS_SELECTOR, "#metadata button[type=submit]").click()
        wait.until(lambda d: "bravo-renamed.txt" in row_names(d))
        driver.find_element(By.ID, "close-details").click()
        # Closing them goes back to the file's row.
        wait.until(lambda d: d.execute_script("return document.activeElement.textContent") == "bravo-renamed.txt")
        # A tag shown in the list lists the files carrying it; emptying the field lists them all.
        everything = row_names(driver)
        driver.find_element(By.CSS_SELECTOR, "button.tag[aria-label='Show files tagged Q3']").click()
        wait.until(lambda d: row_names(d) == ["bravo-renamed.txt"])
        tag = driver.find_element(By.ID, "tag")
        if tag.get_attribute("value") != "Q3":
            raise SystemExit(f"the tag field reads {tag.get_attribute('value')!r} after a tag was chosen")
        tag.send_keys(Keys.CONTROL, "a")
        tag.send_keys(Keys.DELETE)
        wait.until(lambda d: row_names(d) == everything)
        # A file's address opened while signed out shows that file once signed in.
        address = driver.find_element(By.LINK_TEXT, "bravo-renamed.txt").get_attribute("href")
        driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
        wait.until(expected_conditions.url_contains("/login"))
        driver.get(address)
        wait.until(expected_conditions.url_contains("/login?next="))
        check_console(driver, expected=("/api/me", "not signed in"))
        driver.find_element(By.NAME, "username").send_keys("admin")
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait.until(lambda d: d.current_url == address)
        wait.until(lambda d: d.execute_script("return document.activeElement.id") == "details-title")
        if driver.find_element(By.ID, "details-title").text != "bravo-renamed.txt":
            raise SystemExit("the file's address showed another file after signing in")

        details_follow_the_last_click(driver, wait)
        drop_files_and_folders(driver, wait, work)

        # A file deleted while its details are open takes them with it.
        driver.find_element(By.LINK_TEXT, "alpha.txt").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "details-title"), "alpha.txt"))
        driver.find_element(By.CSS_SELECTOR, "button[aria-label='Delete alpha.txt']").click()
        wait.until(expected_conditions.alert_is_present()).accept()
        wait.until(lambda d: "alpha.txt" not in row_names(d))
        wait.until(expected_conditions.invisibility_of_element_located((By.ID, "details")))
        usage_follows_the_files(driver, wait)

        resume_large_upload(driver, wait, work)
        pieces_grow_and_shrink(driver, wait, work)
        cancelled_and_failed_uploads(driver, wait, work)
        more_pages_stay(driver, wait)
        manage_users(driver, wait)
        change_password(driver, wait, password)
        signed_out_elsewhere(driver, wait, base, "a new password")

        # A share link that cannot give its file any more tells whoever opens it why.
        driver.get(limited)
        if driver.title != "Link no longer valid · Wharf" or "served its 1 download" not in driver.find_element(By.TAG_NAME, "main").text:
            raise SystemExit(f"the used-up share link showed {driver.title!r}")
        check_console(driver, expected=(" - Failed to load resource: the server responded with a status of 410",))
        driver.save_screenshot(os.path.join(screenshots, "link-used-up.png"))
        driver.get(base + "/no/such/page")
        if driver.title != "Not found · Wharf":
            raise SystemExit(f"a missing page showed {driver.title!r}")
        driver.save_screenshot(os.path.join(screenshots, "not-found.png"))
        print("ok")
    except BaseException:
        driver.save_screenshot(os.path.join(screenshots, "failure.png"))
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
