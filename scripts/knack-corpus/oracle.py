#!/usr/bin/python3
"""Record what knack prints for each generated case (the knack golden corpus).

Reads generate.ts output (one JSON case per line) on stdin and writes the fixture JSON on stdout.
Run with Debian's /usr/bin/python3 (python3-knack, python3-jmespath, python3-yaml,
python3-tabulate, python3-pygments); see test/cli/fixtures/README.md.

Per case it does what knack/azure-cli do for `--query Q -o FORMAT` (no TTY, so jsonc/yamlc are
json/yaml):
  * `--query` is compiled with knack's CLIQuery.jmespath_type; a ValueError becomes argparse's
    `argument --query: invalid jmespath_type value: %r` + the az query hint, exit 2;
  * the query is applied with `Options(collections.OrderedDict)` (knack/query.py); a JMESPathError
    becomes az's `Invalid jmespath query supplied for `--query`: <message>` + the hint, exit 1;
  * a None result prints nothing (knack/cli.py); otherwise knack.output's own format_json,
    format_yaml, format_table and format_tsv produce stdout (a CLIError from table: stderr, exit 1).
"""
import collections
import importlib.metadata
import json
import math
import sys

import jmespath
import pygments
import tabulate
import yaml
from jmespath.exceptions import JMESPathError
from knack.output import format_json, format_table, format_tsv, format_yaml
from knack.query import CLIQuery
from knack.util import CLIError, CommandResultItem

HINT = "To learn more about --query, please visit: 'https://docs.microsoft.com/cli/azure/query-azure-cli'"


def error(message, code, *extra):
    return {'exit': code, 'stderr': ''.join(line + '\n' for line in ('ERROR: ' + message,) + extra)}


def integral_float(value):
    """A float Python prints as `2.0`; JSON data in JS cannot carry that distinction."""
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    if isinstance(value, dict):
        return any(integral_float(v) for v in value.values())
    if isinstance(value, list):
        return any(integral_float(v) for v in value)
    return False


def run(case):
    data = case['input']
    query = case.get('query')
    out = {'id': case['id'], 'input': data}
    if query is not None:
        out['query'] = query
        try:
            compiled = CLIQuery.jmespath_type(query)
        except ValueError:
            out['error'] = error('argument --query: invalid jmespath_type value: %r' % (query,), 2, HINT)
            return out
        try:
            data = compiled.search(data, jmespath.Options(collections.OrderedDict))
        except JMESPathError as ex:
            out['error'] = error('Invalid jmespath query supplied for `--query`: {}'.format(ex), 1, HINT)
            return out
        except Exception as ex:  # az: "The command failed with an unexpected error" + traceback
            out['error'] = error('Invalid jmespath query supplied for `--query`: {}'.format(ex), 1, HINT)
            out['pythonError'] = type(ex).__name__
            return out
    if integral_float(data):
        out['skip'] = 'result holds an integral float (Python prints 2.0, a JS number is just 2)'
        return out
    if data is None:
        out['expect'] = {f: '' for f in ('json', 'yaml', 'table', 'tsv')}
        return out
    item = CommandResultItem(data, table_transformer=None, is_query_active=query is not None)
    expect = {}
    for name, formatter in (('json', format_json), ('yaml', format_yaml), ('table', format_table),
                            ('tsv', format_tsv)):
        try:
            expect[name] = formatter(item)
        except CLIError as ex:
            expect[name] = error(str(ex), 1)
    out['expect'] = expect
    return out


def main():
    cases = [run(json.loads(line)) for line in sys.stdin if line.strip()]
    versions = {
        'knack': importlib.metadata.version('knack'),
        'jmespath': jmespath.__version__,
        'PyYAML': yaml.__version__,
        'tabulate': tabulate.__version__,
        'Pygments': pygments.__version__,
        'python': sys.version.split()[0],
    }
    json.dump({'versions': versions, 'cases': cases}, sys.stdout, ensure_ascii=False, indent=None,
              separators=(',', ':'))
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
