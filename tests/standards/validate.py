#!/usr/bin/env python3
"""Validate Urbis' open-standard exports against the upstream artefacts in the standards directory.

    validate.py --standards DIR --base-url URL

Fetches every published service of every programme from the API and checks
- each service's CPSV-AP 3.2 Turtle (`/api/v1/services/{id}/cpsv.ttl`) with pyshacl against
  cpsv-ap-3.2.0/shacl/cpsv-ap-SHACL.ttl (must conform);
- each indicator's Smart Data Models KeyPerformanceIndicator key-values JSON
  (`/api/v1/indicators/{id}/sdm.json`) with jsonschema (Draft 2020-12) against sdm-kpi/schema.json,
  with sdm-common/common-schema.json registered under its remote URI and a FormatChecker.
Nothing is fetched from the network but the Urbis server under test: a schema that refers to an
unknown remote URI fails loudly.
"""

import argparse
import json
import sys
import urllib.request
from pathlib import Path

import pyshacl
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

COMMON_URI = "https://smart-data-models.github.io/data-models/common-schema.json"


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return r.read()


def services(base):
    programmes = json.loads(get(base, "/api/v1/programmes?per_page=100"))["items"]
    for p in programmes:
        page = 1
        while True:
            data = json.loads(get(base, f"/api/v1/programmes/{p['slug']}/services?per_page=100&page={page}"))
            yield from (s for s in data["items"] if s["published"])
            if page * data["per_page"] >= data["total"]:
                break
            page += 1


def no_network(uri):
    raise NoSuchResource(ref=uri)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--standards", required=True, type=Path)
    ap.add_argument("--base-url", required=True)
    args = ap.parse_args()
    shapes_file = args.standards / "cpsv-ap-3.2.0" / "shacl" / "cpsv-ap-SHACL.ttl"
    kpi_file = args.standards / "sdm-kpi" / "schema.json"
    common_file = args.standards / "sdm-common" / "common-schema.json"
    for f in (shapes_file, kpi_file, common_file):
        if not f.is_file():
            sys.exit(f"standards artefact missing: {f}")

    import rdflib

    shapes = rdflib.Graph().parse(shapes_file, format="turtle")
    common = json.loads(common_file.read_text())
    registry = Registry(retrieve=no_network).with_resource(COMMON_URI, Resource.from_contents(common))
    kpi_schema = json.loads(kpi_file.read_text())
    Draft202012Validator.check_schema(kpi_schema)
    validator = Draft202012Validator(kpi_schema, registry=registry, format_checker=FormatChecker())

    passed = failed = 0
    base = args.base_url.rstrip("/")
    for s in services(base):
        ttl = get(base, f"/api/v1/services/{s['id']}/cpsv.ttl").decode()
        data = rdflib.Graph().parse(data=ttl, format="turtle")
        conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
        if conforms:
            passed += 1
        else:
            failed += 1
            print(f"FAIL CPSV-AP {s['city']} service {s['id']}:\n{report}\n{ttl}", file=sys.stderr)
        detail = json.loads(get(base, f"/api/v1/services/{s['id']}"))
        for ind in detail["indicators"]:
            kpi = json.loads(get(base, f"/api/v1/indicators/{ind['id']}/sdm.json"))
            errors = sorted(validator.iter_errors(kpi), key=lambda e: list(e.path))
            if errors:
                failed += 1
                for e in errors:
                    print(f"FAIL SDM KPI {ind['id']} at {list(e.path)}: {e.message}", file=sys.stderr)
            else:
                passed += 1
    if passed + failed == 0:
        sys.exit("no published service was found to validate")
    print(f"standards: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
