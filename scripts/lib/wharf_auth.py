"""Signing the benchmark in to the Wharf servers it starts: each gets the same admin password (at
bcrypt's cheapest cost, so that starting is quick), and its /api requests carry a bearer token."""

import json
import urllib.parse
import urllib.request

PASSWORD = "bench-admin-password"
ENV = {"WHARF_ADMIN_PASSWORD": PASSWORD, "WHARF_BCRYPT_COST": "4"}


def header(port):
    """`Authorization: Bearer ...` for the admin of the Wharf on `port`."""
    form = urllib.parse.urlencode({"grant_type": "password", "username": "admin", "password": PASSWORD}).encode()
    reply = json.load(urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/api/token", data=form)))
    return "Authorization: Bearer " + reply["access_token"]


def headers(port):
    """The same, as urllib's headers."""
    name, _, value = header(port).partition(": ")
    return {name: value}
