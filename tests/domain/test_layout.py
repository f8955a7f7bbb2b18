"""The suite's own layout: shared helpers live in tests/support, fixtures in conftest.py files,
so no test module (or conftest) imports a test module, nor a conftest."""
import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_modules(path):
    """Every module `path` imports, spelled as dotted names (`from tests import x` -> tests.x)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def is_test_module(name):
    last = name.rsplit(".", 1)[-1]
    return name.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def offenders():
    return {str(path.relative_to(TESTS)): bad
            for path in sorted(TESTS.rglob("*.py"))
            if (bad := sorted({m for m in imported_modules(path) if is_test_module(m)}))}


def test_no_module_imports_a_test_module_or_a_conftest():
    assert offenders() == {}, (
        "move what these import into tests/support/ (helpers) or a conftest.py (fixtures)")


def test_the_check_sees_every_spelling_of_such_an_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import tests.web.test_orders\nfrom tests.conftest import login\n"
                      "from tests.web import test_orders\nfrom tests.support.forms import login\n")
    assert sorted(m for m in imported_modules(sample) if is_test_module(m)) == [
        "tests.conftest", "tests.web.test_orders", "tests.web.test_orders"]
