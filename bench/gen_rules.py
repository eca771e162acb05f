#!/usr/bin/env python3
"""Writes N detection rules into OUT_DIR, generated from the shared ones by varying values.

usage: bench/gen_rules.py OUT_DIR N RULE_DIR...

Rule i is a copy of base rule i % B (B: every Sigma .yml and detection-rules .toml under the
RULE_DIRs, in path order). Copy 0 of each base is the rule as written; copy k > 0 has every
string value of its Sigma `detection` (the condition aside) and every quoted literal of its
TOML query changed by inserting "v<k>" before the extension (or before trailing `*`s), so
wildcards keep their shape (`*\\net.exe` -> `*\\netv3.exe`) and the rule keeps its fields,
modifiers and logic, but matches other values. Ids and titles are made unique.
"""
import os
import re
import sys
import uuid

import yaml


def vary(s, k):
    if k == 0:
        return s
    tag = "v%d" % k
    m = re.search(r"\.[A-Za-z0-9]{1,4}\**$", s) or re.search(r"\**$", s)
    return s[: m.start()] + tag + s[m.start():]


def vary_tree(v, k):
    if isinstance(v, str):
        return vary(v, k)
    if isinstance(v, list):
        return [vary_tree(x, k) for x in v]
    if isinstance(v, dict):
        return {key: vary_tree(x, k) for key, x in v.items()}
    return v


def sigma_copy(text, k, i):
    docs = list(yaml.safe_load_all(text))
    for d in docs:
        if not isinstance(d, dict):
            continue
        if "id" in d:
            d["id"] = str(uuid.UUID(int=i + 1))
        if "title" in d:
            d["title"] = "%s #%d" % (d["title"], i)
        det = d.get("detection")
        if isinstance(det, dict):
            for name in list(det):
                if name not in ("condition", "timeframe"):
                    det[name] = vary_tree(det[name], k)
    return yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True)


QUERY = re.compile(r"(^query = '''\n)(.*?)(^''')", re.S | re.M)
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def toml_copy(text, k, i):
    text = re.sub(r'^rule_id = "[^"]*"', 'rule_id = "%s"' % uuid.UUID(int=i + 1), text, flags=re.M)
    text = re.sub(r'^name = "([^"]*)"', lambda m: 'name = "%s #%d"' % (m.group(1), i), text,
                  count=1, flags=re.M)
    vary_query = lambda m: m.group(1) + LITERAL.sub(
        lambda l: '"%s"' % vary(l.group(1), k), m.group(2)) + m.group(3)
    return QUERY.sub(vary_query, text)


def main():
    out, n, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    bases = []
    for d in dirs:
        for root, _, files in os.walk(d):
            bases += [os.path.join(root, f) for f in files if f.endswith((".yml", ".toml"))]
    bases.sort()
    if not bases:
        sys.exit("no .yml or .toml rules under " + " ".join(dirs))
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        base = bases[i % len(bases)]
        k = i // len(bases)
        text = open(base, encoding="utf-8").read()
        sigma = base.endswith(".yml")
        body = sigma_copy(text, k, i) if sigma else toml_copy(text, k, i)
        name = "%04d_%s" % (i, os.path.basename(base))
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(body)


if __name__ == "__main__":
    main()
