"""az's own formatters as an oracle: one JSON request per line on stdin, one JSON string per line on stdout.

A request is {"format": "json"|"jsonc"|"yaml"|"table"|"tsv", "document": any, "query": str or null}. As az
does, the query (if any) is applied with jmespath and OrderedDict, and the formatter is told a query is active.
"""
import json
import sys
from collections import OrderedDict

from importlib.metadata import version

import jmespath
from knack import output
from knack.util import CommandResultItem

FORMATTERS = {
    "json": output.format_json,
    "jsonc": output.format_json_color,
    "yaml": output.format_yaml,
    "table": output.format_table,
    "tsv": output.format_tsv,
}


def render(request):
    result = request["document"]
    query = request.get("query")
    if query:
        result = jmespath.compile(query).search(result, jmespath.Options(OrderedDict))
    item = CommandResultItem(result, is_query_active=bool(query))
    return FORMATTERS[request["format"]](item)


def main():
    assert version("knack") == "0.14.0", version("knack")
    for line in sys.stdin:
        sys.stdout.write(json.dumps(render(json.loads(line))) + "\n")


if __name__ == "__main__":
    main()
