"""The examples in the library's docstrings run, and print what they show.

Every module of ``headertrace`` is imported and its doctests run here rather than through
``pytest --doctest-modules``, so that the socket guard of ``conftest.py`` applies to them
(an example that reaches the network fails) and the test files themselves are not
collected as modules. An example that genuinely needs the network is marked
``# doctest: +SKIP``.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest

import headertrace

MODULES = sorted(
    [headertrace.__name__]
    + [m.name for m in pkgutil.walk_packages(headertrace.__path__, f"{headertrace.__name__}.")]
)


def _examples(module_name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [test for test in finder.find(module, module_name) if test.examples]


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out = io.StringIO()
    for test in _examples(module_name):
        runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, out.getvalue()


def test_the_docstring_examples_are_found() -> None:
    """The finder sees the examples there are (it would pass vacuously otherwise)."""
    found = {name: len(_examples(name)) for name in MODULES}
    assert found["headertrace.parse.lexer"] >= 1
    assert len(MODULES) > 20
