"""Generate a Python client from the running server's OpenAPI document with openapi-python-client
and call a few operations with it: list a programme's cities, get a city, and a 404 problem.

Usage: client.py --base-url http://127.0.0.1:PORT --venv PATH (the venv with openapi-python-client)
"""

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--base-url", required=True)
parser.add_argument("--venv", required=True)
args = parser.parse_args()

passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok: {what}")
    else:
        failed += 1
        print(f"FAILED: {what} {detail}")


with tempfile.TemporaryDirectory() as tmp:
    doc = Path(tmp) / "openapi.json"
    with urllib.request.urlopen(f"{args.base_url}/api/v1/openapi.json") as r:
        doc.write_bytes(r.read())
    gen = subprocess.run(
        [f"{args.venv}/bin/openapi-python-client", "generate", "--path", str(doc),
         "--output-path", f"{tmp}/client", "--meta", "none"],
        capture_output=True, text=True)
    print(gen.stdout[-3000:], gen.stderr[-3000:], sep="\n")
    # It warns that it skips the CSV import (it generates no text/csv bodies) and that ruff is absent.
    check("the generator takes the document", gen.returncode == 0)
    if gen.returncode != 0:
        print(f"{passed} passed, {failed} failed")
        sys.exit(1)

    sys.path.insert(0, tmp)
    api = importlib.import_module("client")
    from client.api.network import get_city, list_cities
    from client.models import Problem

    c = api.Client(base_url=f"{args.base_url}/api/v1", raise_on_unexpected_status=True)

    cities = list_cities.sync_detailed("digital-innovation-initiative", client=c)
    check("list cities: 200", cities.status_code == 200, cities.status_code)
    items = cities.parsed.items if cities.parsed else []
    check("list cities: the cohort, parsed", len(items) >= 20, len(items))
    slug = items[0].slug if items else "riga"

    city = get_city.sync_detailed(slug, client=c)
    check("get a city: 200", city.status_code == 200, city.status_code)
    check("get a city: parsed", getattr(city.parsed, "slug", None) == slug, city.parsed)
    check("get a city: ETag", city.headers.get("etag", "").startswith('"'), city.headers)

    missing = get_city.sync_detailed("no-such-city", client=c)
    check("a missing city: 404", missing.status_code == 404, missing.status_code)
    check("a missing city: a parsed problem", isinstance(missing.parsed, Problem) and missing.parsed.status == 404,
          missing.parsed)
    check("a missing city: application/problem+json",
          missing.headers.get("content-type") == "application/problem+json", missing.headers)
    body = json.loads(missing.content)
    check("a missing city: the problem's title", body.get("title") == "Not found", body)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
