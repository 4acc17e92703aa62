"""An install from the source tree (``pip install .``, the README's first
command) ships every package: pyproject.toml lists them by hand."""
import os
import tomllib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_every_python_package_is_listed_in_pyproject():
    with open(os.path.join(REPO, "pyproject.toml"), "rb") as f:
        listed = set(tomllib.load(f)["tool"]["setuptools"]["packages"])
    found = set()
    for dirpath, dirnames, filenames in os.walk(os.path.join(REPO, "abicheck")):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        if "__init__.py" in filenames:
            found.add(os.path.relpath(dirpath, REPO).replace(os.sep, "."))
    assert found - listed == set()
