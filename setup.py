"""Packaging that pyproject.toml cannot say: the notebooks ship inside the wheel.

The top-level notebooks/ folder stays their one source; setuptools installs it as the data-only package
`billkit.notebooks` (in a wheel and in an editable install alike), where `billkit.notebook.catalog` finds the
notebooks with importlib.resources.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["billkit*"]), "billkit.notebooks"],
    package_dir={"billkit.notebooks": "notebooks"},
)
