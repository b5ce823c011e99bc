"""The reference implementation as an oracle: one JSON request per line on stdin, one answer per line on stdout.

A request is {"expression": str, "document": any}. The answer is {"result": any} or {"error": kind}, the kind
as the JMESPath specification names it (syntax, invalid-type, invalid-arity, unknown-function, invalid-value).
"""
import json
import sys

import jmespath
from jmespath import exceptions


def kind(error):
    if isinstance(error, (exceptions.ArityError, exceptions.VariadictArityError)):
        return "invalid-arity"
    if isinstance(error, (exceptions.LexerError, exceptions.ParseError, exceptions.EmptyExpressionError)):
        return "syntax"
    if isinstance(error, exceptions.UnknownFunctionError):
        return "unknown-function"
    if isinstance(error, (exceptions.JMESPathTypeError, TypeError)):
        return "invalid-type"
    if isinstance(error, ValueError):
        return "invalid-value"
    return "crash: " + type(error).__name__


def answer(request):
    try:
        result = jmespath.search(request["expression"], request["document"])
    except Exception as error:  # every error is an answer to compare
        return {"error": kind(error)}
    try:
        json.dumps(result, allow_nan=False)
    except (TypeError, ValueError):
        return {"error": "unserializable"}
    return {"result": result}


def main():
    assert jmespath.__version__ == "1.0.1", jmespath.__version__
    for line in sys.stdin:
        sys.stdout.write(json.dumps(answer(json.loads(line)), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
